//go:build integration

package elasticsearch_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/elasticsearch"
	"github.com/twmb/franz-go/pkg/kgo"
)

var base = time.Date(2026, 3, 1, 10, 10, 0, 0, time.UTC)

const orderSchema = `{"type":"struct","name":"ferry.test.Order","optional":false,"fields":[` +
	`{"type":"int64","optional":false,"field":"id"},` +
	`{"type":"string","optional":false,"field":"name"},` +
	`{"type":"double","optional":false,"field":"amount"},` +
	`{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"},` +
	`{"type":"boolean","optional":false,"field":"active"},` +
	`{"type":"string","optional":true,"field":"note"}]}`

// order is record i: key "i", value a JsonConverter envelope whose name is pad long.
func order(i, pad int) *kgo.Record {
	note := "null"
	if i%3 == 0 {
		note = fmt.Sprintf("%q", fmt.Sprintf("note %d", i))
	}
	ts := base.Add(time.Duration(i) * time.Second)
	v := fmt.Sprintf(`{"schema":%s,"payload":{"id":%d,"name":%q,"amount":%d.25,"ts":%d,"active":%t,"note":%s}}`,
		orderSchema, i, name(i, pad), i%1000, ts.UnixMilli(), i%2 == 0, note)
	return &kgo.Record{Key: []byte(strconv.Itoa(i)), Value: []byte(v), Timestamp: ts}
}

func name(i, pad int) string { return fmt.Sprintf("customer-%d-", i) + strings.Repeat("x", pad) }

func sinkConfig(topic string, extra ...string) map[string]string {
	cfg := map[string]string{"connector.class": elasticsearch.Class, "topics": topic,
		"connection.url": newURL(), "key.converter": "org.apache.kafka.connect.storage.StringConverter"}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i]] = extra[i+1]
	}
	return cfg
}

var newURL func() string

// 100,000 records become 100,000 documents with ids from the keys, in an
// index whose mapping comes from the record schema; a sample is compared
// field by field; then tombstones for 1000 keys delete those documents.
func TestES100kDocumentsAndTombstones(t *testing.T) {
	r := newRig(t)
	newURL = func() string { return r.es }
	topic := r.Topic("es-orders", 2)
	r.Produce(topic, 2, 0, 100000, func(i int) *kgo.Record { return order(i, 20) })
	cfg := sinkConfig(topic, "behavior.on.null.values", "delete")
	start := time.Now()
	r.Drain("es-"+topic, cfg)
	t.Logf("100,000 documents in %v", time.Since(start).Round(time.Millisecond))
	if n := r.count(topic); n != 100000 {
		t.Fatalf("index %s has %d documents, want 100000", topic, n)
	}
	var m map[string]struct {
		Mappings struct {
			Properties map[string]struct{ Type string } `json:"properties"`
		} `json:"mappings"`
	}
	r.call("GET", "/"+topic+"/_mapping", "", &m)
	props := m[topic].Mappings.Properties
	if props["ts"].Type != "date" || props["name"].Type != "text" || props["id"].Type != "long" || props["amount"].Type != "double" {
		t.Fatalf("mapping not made from the schema: %+v", props)
	}
	var ids []string
	for i := 0; i < 100000; i += 499 {
		ids = append(ids, strconv.Itoa(i))
	}
	docs := r.docs(topic, ids)
	for _, id := range ids {
		i, _ := strconv.Atoi(id)
		d := docs[id]
		want := map[string]any{"id": float64(i), "name": name(i, 20), "amount": float64(i%1000) + 0.25,
			"ts": float64(base.Add(time.Duration(i) * time.Second).UnixMilli()), "active": i%2 == 0}
		if i%3 == 0 {
			want["note"] = fmt.Sprintf("note %d", i)
		} else {
			want["note"] = nil
		}
		for k, v := range want {
			if d[k] != v {
				t.Fatalf("document %s field %s = %v, want %v (document %v)", id, k, d[k], v, d)
			}
		}
		if len(d) != len(want) {
			t.Fatalf("document %s has fields %v, want %v", id, d, want)
		}
	}
	r.Produce(topic, 2, 0, 1000, func(i int) *kgo.Record { return &kgo.Record{Key: []byte(strconv.Itoa(i))} })
	r.Drain("es-"+topic, cfg)
	if n := r.count(topic); n != 99000 {
		t.Fatalf("after 1000 tombstones index has %d documents, want 99000", n)
	}
	if got := r.docs(topic, []string{"0", "999", "1000"}); len(got) != 1 || got["1000"] == nil {
		t.Fatalf("after tombstones for 0..999: found %v, want only 1000", got)
	}
}

// UPSERT merges documents with the same key (INSERT would replace them);
// a data stream gets documents with @timestamp from the record.
func TestESUpsertAndDataStream(t *testing.T) {
	r := newRig(t)
	newURL = func() string { return r.es }
	topic := r.Topic("es-upsert", 1)
	for _, doc := range []string{`{"a":1}`, `{"b":2}`} {
		r.Produce(topic, 1, 0, 100, func(i int) *kgo.Record { return &kgo.Record{Key: []byte(strconv.Itoa(i)), Value: []byte(doc)} })
	}
	r.Drain("up-"+topic, sinkConfig(topic, "write.method", "upsert", "schema.ignore", "true", "value.converter.schemas.enable", "false"))
	if n := r.count(topic); n != 100 {
		t.Fatalf("%d documents, want 100", n)
	}
	if d := r.docs(topic, []string{"42"})["42"]; d["a"] != float64(1) || d["b"] != float64(2) {
		t.Fatalf("upserted document 42 = %v, want a=1 and b=2", d)
	}

	stream := r.Topic("es-stream", 1)
	r.call("PUT", "/_index_template/ferry-logs-test", `{"index_patterns":["logs-ferry-*"],"data_stream":{},"priority":200}`, nil)
	r.Produce(stream, 1, 0, 1000, func(i int) *kgo.Record { return order(i, 0) })
	r.Drain("ds-"+stream, sinkConfig(stream, "data.stream.type", "logs", "data.stream.dataset", "ferry", "key.ignore", "true"))
	ds := "logs-ferry-" + stream
	if n := r.count(ds); n != 1000 {
		t.Fatalf("data stream %s has %d documents, want 1000", ds, n)
	}
	var hits struct {
		Hits struct {
			Hits []struct {
				Source map[string]any `json:"_source"`
			}
		}
	}
	r.call("GET", "/"+ds+"/_search?q=id:7", "", &hits)
	if len(hits.Hits.Hits) != 1 || hits.Hits.Hits[0].Source["@timestamp"] != float64(base.Add(7*time.Second).UnixMilli()) {
		t.Fatalf("data stream document 7: %+v", hits.Hits.Hits)
	}
}

// A mapping conflict: the index maps name as long. With errors.tolerance=none
// the invocation fails naming index and document; with all, every refused
// record goes to the dead-letter queue and the offsets move on.
func TestESMappingConflict(t *testing.T) {
	r := newRig(t)
	newURL = func() string { return r.es }
	topic := r.Topic("es-conflict", 1)
	r.call("PUT", "/"+topic, `{"mappings":{"properties":{"name":{"type":"long"}}}}`, nil)
	r.Produce(topic, 1, 0, 10, func(i int) *kgo.Record { return order(i, 0) })
	_, err := r.H.Handle(context.Background(), r.Invocation("strict-"+topic, sinkConfig(topic)))
	if err == nil || !strings.Contains(err.Error(), "index "+topic+" document 0") || !strings.Contains(err.Error(), "mapper_parsing_exception") {
		t.Fatalf("got %v, want a failure naming index %s, document 0 and the mapping error", err, topic)
	}
	dlq := topic + "-dlq"
	r.Drain("tolerant-"+topic, sinkConfig(topic, "errors.tolerance", "all", "errors.deadletterqueue.topic.name", dlq,
		"errors.deadletterqueue.topic.replication.factor", "1", "errors.deadletterqueue.context.headers.enable", "true"))
	cl, _ := kgo.NewClient(kgo.SeedBrokers(r.Seeds...), kgo.ConsumeTopics(dlq), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	got := 0
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for got < 10 && ctx.Err() == nil {
		got += cl.PollFetches(ctx).NumRecords()
	}
	if got != 10 {
		t.Fatalf("dead-letter queue %s has %d records, want 10", dlq, got)
	}
	if n := r.count(topic); n != 0 {
		t.Fatalf("index has %d documents, want 0", n)
	}
}
