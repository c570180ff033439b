//go:build integration

package hdfssink_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Parquet and JSON: 100,000 records in two partitions, flush.size 5000: ten
// files per partition, named as Confluent names them, every record once
// with its content, and the group's offsets at the end of each partition.
func TestHDFSSink100kParquetAndJSON(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("hdfs100k", 2)
	const n, pad = 100000, 40
	r.Produce(topic, 2, 0, n, func(i int) *kgo.Record { return sinktest.Order(i, pad, time.Second) })
	for _, format := range []string{"parquet.ParquetFormat", "json.JsonFormat"} {
		name := strings.Split(format, ".")[0] + "-" + topic
		cfg := r.config(topic, format, "topics.dir", "/ferry-test/"+name)
		start := time.Now()
		r.Drain(name, cfg)
		t.Logf("%s: 100,000 records into HDFS in %v", format, time.Since(start).Round(time.Millisecond))
		if got := r.Committed(name, topic); got[0] != n/2 || got[1] != n/2 {
			t.Fatalf("%s committed %v, want %d in each partition", name, got, n/2)
		}
		files, seen := r.count(t, "/ferry-test/"+name, pad)
		ext := map[bool]string{true: ".parquet", false: ".json"}[strings.HasPrefix(format, "parquet")]
		if want := fmt.Sprintf("/ferry-test/%s/%s/partition=0/%s+0+0000000000+0000004999%s", name, topic, topic, ext); len(files) != 20 || files[0] != want {
			t.Fatalf("%d files, first %q; want 20, first %s", len(files), files[0], want)
		}
		if len(seen) != n {
			t.Fatalf("%s: %d distinct records, want %d", format, len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Fatalf("%s: record %d appears %d times", format, id, c)
			}
		}
		if tmp := r.files("/ferry-test/"+name+"/+tmp", true); len(tmp) != 0 {
			t.Fatalf("temporary files left: %v", tmp)
		}
	}
}

// A retried invocation (here: another consumer group on the same topics.dir,
// from offset 0, with another flush.size) skips the records committed files
// already hold, named by their offsets, and writes only the rest: no record
// twice, though the file boundaries differ.
func TestHDFSSinkRetryWritesNoDuplicate(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("hdfsretry", 1)
	const n = 5500
	r.Produce(topic, 1, 0, n, func(i int) *kgo.Record { return sinktest.Order(i, 0, time.Second) })
	dir := "/ferry-test/retry-" + topic
	r.Drain("first-"+topic, r.config(topic, "json.JsonFormat", "topics.dir", dir, "flush.size", "1000"))
	if files := r.files(dir, false); len(files) != 5 {
		t.Fatalf("first run: %d files, want 5", len(files))
	}
	r.Produce(topic, 1, n, 1500, func(i int) *kgo.Record { return sinktest.Order(i, 0, time.Second) })
	r.Drain("again-"+topic, r.config(topic, "json.JsonFormat", "topics.dir", dir, "flush.size", "700"))
	files, seen := r.count(t, dir, 0)
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("record %d appears %d times in %v", id, c, files)
		}
	}
	// 5 files of 1000, then 5000..5699 and 5700..6399; 6400..6999 held back.
	if len(seen) != 6400 || len(files) != 7 || files[len(files)-1] != fmt.Sprintf("%s/%s/partition=0/%s+0+0000005700+0000006399.json", dir, topic, topic) {
		t.Fatalf("%d records in %d files (%v); want 6400 in 7, the last ending at 6399", len(seen), len(files), files)
	}
}

// A record whose FieldPartitioner value HDFS refuses as a path (a ':') goes
// to the dead-letter topic with the context headers; every other record is
// written (99: nine files of flush.size 11), and with errors.tolerance=none the task fails naming the cause.
func TestHDFSSinkRefusedToDLQ(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("hdfsrefused", 1)
	r.Produce(topic, 1, 0, 100, func(i int) *kgo.Record {
		region := fmt.Sprintf("eu-%d", i%3)
		if i == 42 {
			region = "eu:42"
		}
		return &kgo.Record{Value: []byte(fmt.Sprintf(`{"id":%d,"region":%q}`, i, region))}
	})
	cfg := r.config(topic, "json.JsonFormat", "flush.size", "11", "value.converter", "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable", "false", "partitioner.class", "io.confluent.connect.storage.partitioner.FieldPartitioner",
		"partition.field.name", "region")
	res, err := r.H.Handle(context.Background(), r.Invocation("strict-"+topic, cfg))
	if err == nil || res.State != functions.StateFailed || !strings.Contains(res.Trace+err.Error(), "InvalidPathException") {
		t.Fatalf("state %s, %v; want FAILED naming InvalidPathException", res.State, err)
	}
	dlq := topic + "-dlq"
	cfg["errors.tolerance"], cfg["errors.deadletterqueue.topic.name"] = "all", dlq
	cfg["errors.deadletterqueue.topic.replication.factor"], cfg["errors.deadletterqueue.context.headers.enable"] = "1", "true"
	cfg["topics.dir"] = "/ferry-test/tolerant-" + topic
	r.Drain("tolerant-"+topic, cfg)
	got := r.Consume(dlq, 1)
	msg := sinktest.Header(got[0], "__connect.errors.exception.message")
	if !strings.Contains(string(got[0].Value), `"eu:42"`) || !strings.Contains(msg, "InvalidPathException") ||
		sinktest.Header(got[0], "__connect.errors.topic") != topic || sinktest.Header(got[0], "__connect.errors.offset") != "42" {
		t.Fatalf("dead-letter record %s, headers %v", got[0].Value, got[0].Headers)
	}
	rows := 0
	for _, f := range r.files(cfg["topics.dir"], false) {
		rows += len(r.rows(f))
	}
	if rows != 99 {
		t.Fatalf("%d rows in HDFS, want 99", rows)
	}
}
