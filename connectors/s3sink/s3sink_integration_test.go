//go:build integration

package s3sink_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/s3sink"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
)

func sinkConfig(topic, bucket, format string, extra ...string) map[string]string {
	cfg := map[string]string{"connector.class": s3sink.Class, "topics": topic, "s3.bucket.name": bucket,
		"s3.region": os.Getenv("AWS_REGION"), "store.url": os.Getenv("S3_ENDPOINT"),
		"format.class": "io.confluent.connect.s3.format." + format, "flush.size": "6000"}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i]] = extra[i+1]
	}
	return cfg
}

// Parquet and JSON: 100,000 records in two partitions, flush.size 6000. Each
// partition holds 50,000: 8 files of 6000 commit and a tail of 2000 is held
// back (not written, offsets not committed) until 4000 more records per
// partition complete a ninth file. pyarrow reads the Parquet files back.
func TestS3Parquet100k(t *testing.T) {
	r := newRig(t)
	topic, bucket := r.Topic("s3pq", 2), r.bucket("s3pq")
	const pad = 40
	r.Produce(topic, 2, 0, 100000, func(i int) *kgo.Record { return sinktest.Order(i, pad, time.Second) })
	start := time.Now()
	pq := sinkConfig(topic, bucket, "parquet.ParquetFormat", "topics.dir", "pq")
	js := sinkConfig(topic, bucket, "json.JsonFormat", "topics.dir", "js")
	r.Drain("pq-"+topic, pq)
	r.Drain("js-"+topic, js)
	t.Logf("100,000 records into S3 as Parquet and as JSON in %v", time.Since(start).Round(time.Millisecond))
	for _, name := range []string{"pq-" + topic, "js-" + topic} {
		if got := r.Committed(name, topic); got[0] != 48000 || got[1] != 48000 {
			t.Fatalf("%s committed %v, want 48000 in each partition (tail of 2000 held back)", name, got)
		}
	}
	if keys := r.objects(bucket, "pq/"); len(keys) != 16 || keys[0] != "pq/"+topic+"/partition=0/"+topic+"+0+0000000000.snappy.parquet" {
		t.Fatalf("parquet objects: %d, first %q", len(keys), keys[0])
	}
	r.Produce(topic, 2, 100000, 8000, func(i int) *kgo.Record { return sinktest.Order(i, pad, time.Second) })
	r.Drain("pq-"+topic, pq)
	r.Drain("js-"+topic, js)

	keys := r.objects(bucket, "pq/")
	files := readParquet(t, r.download(bucket, keys))
	seen := map[int]bool{}
	for _, f := range files {
		if len(f.Rows) != 6000 || f.Codec != "SNAPPY" {
			t.Fatalf("%s: %d rows codec %s, want 6000 SNAPPY", f.File, len(f.Rows), f.Codec)
		}
		for _, row := range f.Rows {
			id := sinktest.CheckOrder(t, f.File, row, pad)
			if seen[id] {
				t.Fatalf("row %d twice", id)
			}
			seen[id] = true
			if want := sinktest.Base.Add(time.Duration(id) * time.Second).Format("2006-01-02T15:04:05"); !strings.HasPrefix(row["ts"].(string), want) {
				t.Fatalf("row %d ts %v, want %s", id, row["ts"], want)
			}
		}
	}
	if len(seen) != 108000 || len(files) != 18 {
		t.Fatalf("pyarrow read %d distinct rows in %d files, want 108000 in 18", len(seen), len(files))
	}
	if !strings.Contains(files[0].Schema, "ts: timestamp[ms") || !strings.Contains(files[0].Schema, "note: string") {
		t.Fatalf("parquet schema:\n%s", files[0].Schema)
	}
	jsonRows := 0
	for _, k := range r.objects(bucket, "js/") {
		sc := bufio.NewScanner(bytes.NewReader(r.get(bucket, k)))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var row map[string]any
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			sinktest.CheckOrder(t, k, row, pad)
			jsonRows++
		}
	}
	if jsonRows != 108000 {
		t.Fatalf("JSON objects hold %d rows, want 108000", jsonRows)
	}
}

// TimeBasedPartitioner in Asia/Kolkata (UTC+05:30): 1000 records 18 s apart
// span five hours; each lands under its local hour, files named by the first
// offset in that hour, all committed together at flush.size.
func TestS3TimeBasedPartitionsInKolkata(t *testing.T) {
	r := newRig(t)
	topic, bucket := r.Topic("s3tz", 1), r.bucket("s3tz")
	r.Produce(topic, 1, 0, 1000, func(i int) *kgo.Record { return sinktest.Order(i, 0, 18*time.Second) })
	cfg := sinkConfig(topic, bucket, "json.JsonFormat", "flush.size", "1000",
		"partitioner.class", "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
		"path.format", "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", "partition.duration.ms", "3600000",
		"locale", "en-IN", "timezone", "Asia/Kolkata", "timestamp.extractor", "RecordField", "timestamp.field", "ts")
	r.Drain("tz-"+topic, cfg)
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	want := map[string]int{}
	first := map[string]int{}
	for i := 0; i < 1000; i++ {
		l := sinktest.Base.Add(time.Duration(i) * 18 * time.Second).In(kolkata)
		dir := fmt.Sprintf("year=%04d/month=%02d/day=%02d/hour=%02d", l.Year(), l.Month(), l.Day(), l.Hour())
		if _, ok := first[dir]; !ok {
			first[dir] = i
		}
		want[fmt.Sprintf("topics/%s/%s/%s+0+%010d.json", topic, dir, topic, first[dir])]++
	}
	keys := r.objects(bucket, "topics/")
	if len(keys) != len(want) || len(want) < 5 {
		t.Fatalf("objects %v, want %v", keys, want)
	}
	for _, k := range keys {
		if n := bytes.Count(r.get(bucket, k), []byte("\n")); n != want[k] {
			t.Fatalf("%s has %d records, want %d (expected objects %v)", k, n, want[k], want)
		}
	}
	t.Logf("objects: %v", keys)
}

// A worker process is SIGKILLed while it uploads (multipart, s3.part.size
// 5 MiB, files of 8000 × 1 KiB): the objects it completed stay, its open
// upload never becomes an object, no offset beyond a completed file was
// committed, and the next invocation rewrites the same names. The child is
// this test itself, run again as the child (sinktest.AsChild).
func TestS3KilledWorkerNoLossNoDuplicates(t *testing.T) {
	if sinktest.AsChild(t, func(t *testing.T) { // the worker process the test kills
		var cfg map[string]string
		if err := json.Unmarshal([]byte(os.Getenv("FERRY_S3_KILL_CONFIG")), &cfg); err != nil {
			t.Fatal(err)
		}
		r := newRig(t)
		_, err := r.H.Handle(context.Background(), r.Invocation(os.Getenv("FERRY_S3_KILL_CHILD"), cfg))
		t.Fatalf("the child should have been killed; invocation returned %v", err)
	}) {
		return
	}
	r := newRig(t)
	topic, bucket := r.Topic("s3kill", 1), r.bucket("s3kill")
	const n, pad = 40000, 1000
	r.Produce(topic, 1, 0, n, func(i int) *kgo.Record { return sinktest.Order(i, pad, time.Millisecond) })
	cfg := sinkConfig(topic, bucket, "json.JsonFormat", "flush.size", "8000", "s3.part.size", "5242880")
	name := "kill-" + topic
	blob, _ := json.Marshal(cfg)
	var out bytes.Buffer
	child := sinktest.StartChild(t, &out, "FERRY_S3_KILL_CHILD="+name, "FERRY_S3_KILL_CONFIG="+string(blob))
	deadline := time.Now().Add(60 * time.Second)
	for len(r.objects(bucket, "topics/")) < 2 {
		if time.Now().After(deadline) {
			child.Process.Kill()
			t.Fatalf("child wrote no objects in 60s:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	before := r.objects(bucket, "topics/")
	t.Logf("killed the worker after %d objects; group offset %v", len(before), r.Committed(name, topic))
	if c := r.Committed(name, topic)[0]; c > int64(8000*len(before)) {
		t.Fatalf("committed %d with only %d files of 8000 in S3", c, len(before))
	}
	r.Drain(name, cfg)
	keys := r.objects(bucket, "topics/")
	if len(keys) != n/8000 {
		t.Fatalf("%d objects after recovery, want %d: %v", len(keys), n/8000, keys)
	}
	seen := make([]int, n)
	for _, k := range keys {
		for _, line := range bytes.Split(bytes.TrimSuffix(r.get(bucket, k), []byte("\n")), []byte("\n")) {
			var row map[string]any
			if err := json.Unmarshal(line, &row); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			seen[int(row["id"].(float64))]++
		}
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("record %d appears %d times", id, c)
		}
	}
}

// Bad input: a missing bucket and wrong credentials fail the task with a
// message naming the bucket and the keys to fix; a record whose value has no
// schema cannot become Parquet and is rejected naming why.
func TestS3BadInput(t *testing.T) {
	r := newRig(t)
	topic, bucket := r.Topic("s3bad", 1), r.bucket("s3bad")
	r.Produce(topic, 1, 0, 10, func(i int) *kgo.Record { return sinktest.Order(i, 0, time.Second) })
	cases := []struct {
		name string
		cfg  map[string]string
		want []string
		is   error
	}{
		{"missing bucket", sinkConfig(topic, "no-such-bucket-ferry", "json.JsonFormat"), []string{`"no-such-bucket-ferry" does not exist`, "s3.bucket.name"}, s3sink.ErrBucket},
		{"wrong credentials", sinkConfig(topic, bucket, "json.JsonFormat", "aws.access.key.id", "wrong", "aws.secret.access.key", "wrong"),
			[]string{"refused the credentials", "aws.access.key.id"}, s3sink.ErrCredentials},
		{"schemaless parquet", sinkConfig(topic, bucket, "parquet.ParquetFormat", "value.converter.schemas.enable", "false"),
			[]string{"Parquet", "STRUCT values with a schema"}, s3sink.ErrSchema},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := r.H.Handle(context.Background(), r.Invocation("bad-"+strings.ReplaceAll(c.name, " ", "-")+topic, c.cfg))
			if err == nil {
				t.Fatalf("no error; result %+v", res)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not say %q", err, w)
				}
			}
			if !errors.Is(err, c.is) {
				t.Fatalf("error %v is not %v", err, c.is)
			}
		})
	}
}

// Every Connect type ParquetFormat maps, read back by pyarrow: values,
// nulls, nested struct, list, map, decimal, date, time, timestamp, and the
// fields in schema order.
func TestS3ParquetAllTypesPyarrow(t *testing.T) {
	b, err := s3sink.AllTypesParquet(3)
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/all.zstd.parquet"
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f := readParquet(t, []string{path})[0]
	wantSchema := []string{"i8: int32 not null", "i16: int32 not null", "i64: int64 not null", "f32: float not null",
		"price: decimal128(38, 2) not null", "day: date32[day] not null", "at: time32[ms] not null",
		"ts: timestamp[ms, tz=UTC] not null", "note: string\n", "addr: struct<city: string not null, zip: int32> not null",
		"tags: list<element: string not null> not null", "attrs: map<string, int64"}
	for _, w := range wantSchema {
		if !strings.Contains(f.Schema, w) {
			t.Fatalf("pyarrow schema lacks %q:\n%s", w, f.Schema)
		}
	}
	if strings.Index(f.Schema, "i8:") > strings.Index(f.Schema, "addr:") {
		t.Fatalf("fields not in schema order:\n%s", f.Schema)
	}
	got, _ := json.Marshal(f.Rows[1])
	want := `{"addr":{"city":"c1","zip":null},"at":"10:00:01.005000","attrs":[["k",1]],"b":"01ff","day":"2026-03-02",` +
		`"f32":0.5,"f64":0.25,"i16":2,"i32":3,"i64":1099511627776,"i8":1,"note":null,"ok":true,"price":"1.01","s":"s1",` +
		`"tags":["a","1"],"ts":"2023-11-14T22:13:20.001000+00:00"}`
	if string(got) != want {
		t.Fatalf("row 1 read by pyarrow:\n%s\nwant\n%s", got, want)
	}
}

// rotate.interval.ms on record time: records 18 s apart rotate every 10
// minutes of record time (a new file every 34 records); the last file stays
// open and held back. rotate.schedule.interval.ms: files opened before the
// last wall-clock boundary are committed at the end of the invocation, so
// the tail of old records is written without reaching flush.size.
func TestS3Rotation(t *testing.T) {
	r := newRig(t)
	topic, bucket := r.Topic("s3rot", 1), r.bucket("s3rot")
	r.Produce(topic, 1, 0, 1000, func(i int) *kgo.Record { return sinktest.Order(i, 0, 18*time.Second) })
	r.Drain("iv-"+topic, sinkConfig(topic, bucket, "json.JsonFormat", "topics.dir", "iv", "flush.size", "100000",
		"rotate.interval.ms", "600000", "timestamp.extractor", "Record"))
	var want []string
	start, last := 0, 0
	for i := 1; i < 1000; i++ {
		if time.Duration(i-start)*18*time.Second >= 10*time.Minute {
			want = append(want, fmt.Sprintf("iv/%s/partition=0/%s+0+%010d.json", topic, topic, start))
			start = i
		}
	}
	last = start
	got := r.objects(bucket, "iv/")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rotate.interval.ms objects:\n%v\nwant\n%v", got, want)
	}
	if c := r.Committed("iv-"+topic, topic)[0]; c != int64(last) {
		t.Fatalf("committed %d, want %d (the open file's first offset)", c, last)
	}
	r.Drain("sched-"+topic, sinkConfig(topic, bucket, "json.JsonFormat", "topics.dir", "sched", "flush.size", "100000",
		"rotate.schedule.interval.ms", "3600000", "timezone", "UTC"))
	objs := r.objects(bucket, "sched/")
	if len(objs) != 1 || bytes.Count(r.get(bucket, objs[0]), []byte("\n")) != 1000 {
		t.Fatalf("rotate.schedule.interval.ms objects %v, want one of 1000 records", objs)
	}
	if c := r.Committed("sched-"+topic, topic)[0]; c != 1000 {
		t.Fatalf("committed %d, want 1000", c)
	}
}
