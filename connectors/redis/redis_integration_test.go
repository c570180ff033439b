//go:build integration

package redis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/redis"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/sinktest"
	goredis "github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kgo"
)

// testDB is the database these tests write in, away from the state store's.
const testDB = "11"

// rig is one test's Kafka, Redis and handler.
type rig struct {
	*sinktest.Rig
	uri string
	rdb *goredis.Client
}

func newRig(t testing.TB) *rig {
	t.Helper()
	raw := os.Getenv("REDIS_URL")
	if raw == "" {
		t.Fatal("REDIS_URL must be set: run `eval \"$(localstack/up kafka redis)\"`")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + testDB
	opts, err := goredis.ParseURL(u.String())
	if err != nil {
		t.Fatal(err)
	}
	rdb := goredis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	return &rig{Rig: sinktest.New(t, "redis-test", redis.Sink(), redis.StreamSource()), uri: u.String(), rdb: rdb}
}

// cleanup deletes the keys under prefix when the test ends.
func (r *rig) cleanup(prefix string) {
	r.T.Cleanup(func() {
		ctx := context.Background()
		iter := r.rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			r.rdb.Del(ctx, iter.Val())
		}
	})
}

// keys counts the keys under prefix.
func (r *rig) keys(prefix string) int {
	n := 0
	iter := r.rdb.Scan(context.Background(), 0, prefix+"*", 5000).Iterator()
	for iter.Next(context.Background()) {
		n++
	}
	if err := iter.Err(); err != nil {
		r.T.Fatal(err)
	}
	return n
}

func (r *rig) sinkConfig(topic string, kv ...string) map[string]string {
	cfg := map[string]string{"connector.class": redis.SinkClass, "topics": topic, "redis.uri": r.uri,
		"redis.key":       "ferrytest:${topic}",
		"key.converter":   "org.apache.kafka.connect.storage.StringConverter",
		"value.converter": "org.apache.kafka.connect.storage.StringConverter"}
	for i := 0; i+1 < len(kv); i += 2 {
		cfg[kv[i]] = kv[i+1]
	}
	return cfg
}

func read(results []functions.Result) (n int64) {
	for _, res := range results {
		n += res.Read
	}
	return n
}

// 100,000 records become 100,000 strings with the records' values; 1000
// more records and 100 tombstones in a second run are the only records it
// reads (it resumes from the committed offsets).
func TestRedisSink100kStrings(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("redis-strings", 2)
	prefix := "ferrytest:" + topic + ":"
	r.cleanup(prefix)
	r.Produce(topic, 2, 0, 100000, func(i int) *kgo.Record {
		return &kgo.Record{Key: []byte("k" + strconv.Itoa(i)), Value: []byte(fmt.Sprintf("value %d", i))}
	})
	cfg := r.sinkConfig(topic, "redis.type", "STRING")
	start := time.Now()
	if n := read(r.Drain("strings-"+topic, cfg)); n != 100000 {
		t.Fatalf("read %d records, want 100000", n)
	}
	t.Logf("100000 records in %v", time.Since(start))
	if n := r.keys(prefix); n != 100000 {
		t.Fatalf("%d keys, want 100000", n)
	}
	for lo := 0; lo < 100000; lo += 5000 {
		var ks []string
		for i := lo; i < lo+5000; i++ {
			ks = append(ks, prefix+"k"+strconv.Itoa(i))
		}
		vals, err := r.rdb.MGet(context.Background(), ks...).Result()
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range vals {
			if want := fmt.Sprintf("value %d", lo+j); v != want {
				t.Fatalf("%s = %v, want %q", ks[j], v, want)
			}
		}
	}
	r.Produce(topic, 2, 100000, 1000, func(i int) *kgo.Record {
		return &kgo.Record{Key: []byte("k" + strconv.Itoa(i)), Value: []byte(fmt.Sprintf("value %d", i))}
	})
	r.Produce(topic, 2, 0, 100, func(i int) *kgo.Record { return &kgo.Record{Key: []byte("k" + strconv.Itoa(i))} })
	if n := read(r.Drain("strings-"+topic, cfg)); n != 1100 {
		t.Fatalf("second run read %d records, want 1100 (resume from the committed offsets)", n)
	}
	if n := r.keys(prefix); n != 100900 {
		t.Fatalf("%d keys, want 100900", n)
	}
}

// Stream entries: one per record with the value's fields, and a second
// invocation after more records adds exactly those (no entry twice).
func TestRedisSinkStreamResumes(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("redis-stream", 1)
	stream := "ferrytest:" + topic
	r.cleanup(stream)
	mk := func(i int) *kgo.Record {
		return &kgo.Record{Key: []byte(strconv.Itoa(i)), Value: []byte(fmt.Sprintf(`{"id":%d,"name":"n%d"}`, i, i))}
	}
	cfg := r.sinkConfig(topic, "value.converter", "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable", "false", "redis.multiexec", "true")
	r.Produce(topic, 1, 0, 10000, mk)
	r.Drain("stream-"+topic, cfg)
	r.Produce(topic, 1, 10000, 5000, mk)
	r.Drain("stream-"+topic, cfg)
	entries, err := r.rdb.XRange(context.Background(), stream, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 15000 {
		t.Fatalf("%d stream entries, want 15000", len(entries))
	}
	for i, e := range entries {
		if e.Values["id"] != strconv.Itoa(i) || e.Values["name"] != "n"+strconv.Itoa(i) || len(e.Values) != 2 {
			t.Fatalf("entry %d = %v", i, e.Values)
		}
	}
}

// A record the server refuses (HSET on a list: WRONGTYPE) fails the
// invocation with errors.tolerance=none; with all it goes to the dead-letter
// queue with the context headers and the others are written.
func TestRedisSinkRefusedToDLQ(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("redis-refused", 1)
	prefix := "ferrytest:" + topic + ":"
	r.cleanup(prefix)
	ctx := context.Background()
	r.rdb.RPush(ctx, prefix+"k3", "a list")
	r.Produce(topic, 1, 0, 10, func(i int) *kgo.Record {
		return &kgo.Record{Key: []byte("k" + strconv.Itoa(i)), Value: []byte(fmt.Sprintf(`{"n":%d}`, i))}
	})
	cfg := r.sinkConfig(topic, "redis.type", "HASH", "value.converter", "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable", "false")
	res, err := r.H.Handle(ctx, r.Invocation("strict-"+topic, cfg))
	if err == nil || res.State != functions.StateFailed || !strings.Contains(res.Trace+err.Error(), "WRONGTYPE") {
		t.Fatalf("state %s, %v; want FAILED naming WRONGTYPE", res.State, err)
	}
	dlq := topic + "-dlq"
	cfg["errors.tolerance"], cfg["errors.deadletterqueue.topic.name"] = "all", dlq
	cfg["errors.deadletterqueue.topic.replication.factor"], cfg["errors.deadletterqueue.context.headers.enable"] = "1", "true"
	r.Drain("tolerant-"+topic, cfg)
	got := r.Consume(dlq, 1)
	if string(got[0].Key) != "k3" || sinktest.Header(got[0], "__connect.errors.exception.message") == "" {
		t.Fatalf("dead-letter record %s %v", got[0].Key, got[0].Headers)
	}
	if n := r.keys(prefix); n != 10 {
		t.Fatalf("%d keys, want 10 (9 hashes and the list)", n)
	}
	if v := r.rdb.HGet(ctx, prefix+"k7", "n").Val(); v != "7" {
		t.Fatalf("k7.n = %q", v)
	}
}

// redis.type JSON on a server without RedisJSON fails the invocation
// (not retriable) naming the missing command; an unreachable server is RETRYING.
func TestRedisSinkRefusesUnsupportedAndRetriesUnreachable(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("redis-json", 1)
	r.Produce(topic, 1, 0, 1, func(int) *kgo.Record { return &kgo.Record{Key: []byte("k"), Value: []byte(`{}`)} })
	res, err := r.H.Handle(context.Background(), r.Invocation("json-"+topic, r.sinkConfig(topic, "redis.type", "JSON")))
	if res.State != functions.StateFailed || !strings.Contains(res.Trace+fmt.Sprint(err), "JSON.SET") {
		t.Fatalf("state %s, %v %s; want FAILED naming JSON.SET", res.State, err, res.Trace)
	}
	res, err = r.H.Handle(context.Background(), r.Invocation("down-"+topic, r.sinkConfig(topic, "redis.uri", "redis://127.0.0.1:1/0")))
	if res.State != functions.StateRetrying {
		t.Fatalf("state %s, %v %s; want RETRYING", res.State, err, res.Trace)
	}
}

// 100,000 stream entries become 100,000 records with the entry's ID as key
// and {id, body, stream} as value; 500 more entries are exactly the next
// run's records, and the consumer group's last-delivered ID follows.
func TestRedisStreamSource100k(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("redis-source", 1)
	stream := "ferrytest:" + topic
	r.cleanup(stream)
	ctx := context.Background()
	add := func(from, n int) []string {
		ids := make([]string, 0, n)
		for lo := from; lo < from+n; lo += 5000 {
			pipe := r.rdb.Pipeline()
			var cmds []*goredis.StringCmd
			for i := lo; i < min(lo+5000, from+n); i++ {
				cmds = append(cmds, pipe.XAdd(ctx, &goredis.XAddArgs{Stream: stream, Values: []any{"n", strconv.Itoa(i), "sq", strconv.Itoa(i * i)}}))
			}
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
			for _, c := range cmds {
				ids = append(ids, c.Val())
			}
		}
		return ids
	}
	ids := add(0, 100000)
	cfg := map[string]string{"connector.class": redis.SourceClass, "redis.uri": r.uri, "redis.stream.name": stream,
		"topic": topic, "batch.size": "1000", "redis.stream.consumer.group": "ferry-test",
		"key.converter":   "org.apache.kafka.connect.storage.StringConverter",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false"}
	start := time.Now()
	if n := read(r.Drain("source-"+topic, cfg)); n != 100000 {
		t.Fatalf("read %d, want 100000", n)
	}
	t.Logf("100000 entries in %v", time.Since(start))
	ids = append(ids, add(100000, 500)...)
	if n := read(r.Drain("source-"+topic, cfg)); n != 500 {
		t.Fatalf("second run read %d, want 500 (resume from the committed stream ID)", n)
	}
	recs := r.Consume(topic, 100500)
	for i, rec := range recs {
		var v struct {
			ID     string            `json:"id"`
			Body   map[string]string `json:"body"`
			Stream string            `json:"stream"`
		}
		if err := json.Unmarshal(rec.Value, &v); err != nil {
			t.Fatal(err)
		}
		if string(rec.Key) != ids[i] || v.ID != ids[i] || v.Stream != stream || v.Body["n"] != strconv.Itoa(i) || v.Body["sq"] != strconv.Itoa(i*i) {
			t.Fatalf("record %d: %s %s, want id %s", i, rec.Key, rec.Value, ids[i])
		}
	}
	groups, err := r.rdb.XInfoGroups(ctx, stream).Result()
	if err != nil || len(groups) != 1 || groups[0].LastDeliveredID != ids[len(ids)-1] {
		t.Fatalf("groups %+v, %v; want ferry-test at %s", groups, err, ids[len(ids)-1])
	}
}
