package functions

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/datagen"
	cpipeline "github.com/ferryhq/ferry/transforms/pipeline"
	"github.com/twmb/franz-go/pkg/kgo"
)

// sourcePipeline is a source pipeline for cfg with worker's converters.
func sourcePipeline(t testing.TB, cfg, worker map[string]string) *pipeline {
	t.Helper()
	built, err := cpipeline.Build(cpipeline.Spec{Kind: connectors.TypeSource, Config: cfg, Worker: worker})
	if err != nil {
		t.Fatal(err)
	}
	inv := Invocation{ID: "test", Connector: cfg["name"], Config: cfg}
	return newPipeline(inv, built, &Result{}, time.Now().Add(time.Hour), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// produced runs three polls of a datagen task through p as a source
// invocation does (writeJSONValues, then toKafka), with the task's values
// written as JSON when p asks for them; the task may then reuse a poll's
// records at the next, so the Kafka records of every poll are returned.
func produced(t *testing.T, p *pipeline, cfg map[string]string) []*kgo.Record {
	t.Helper()
	task := datagen.NewTask()
	if err := task.Open(context.Background(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	p.writeJSONValues(task)
	var out []*kgo.Record
	for range 3 {
		recs, err := task.Poll(context.Background())
		if err != nil || len(recs) == 0 {
			t.Fatalf("poll: %d records, %v", len(recs), err)
		}
		for i, r := range recs {
			kr, err := p.toKafka(context.Background(), r)
			if err != nil || kr == nil {
				t.Fatalf("record %d: %v", i, err)
			}
			out = append(out, kr)
		}
	}
	return out
}

// TestJSONValuesAsConverted produces datagen's records through the source
// pipeline twice, once with the task writing its values as JSON (the
// JsonConverter without schemas, no SMTs) and once with the JsonConverter
// writing the Structs (a transformation that changes nothing forces it):
// the Kafka records must be equal byte for byte, under the converter
// settings that change JSON. With schemas, or with SMTs, the task is not
// asked.
func TestJSONValuesAsConverted(t *testing.T) {
	identity := map[string]string{"transforms": "keep", "transforms.keep.type": "org.apache.kafka.connect.transforms.Filter",
		"transforms.keep.predicate": "never", "predicates": "never", "predicates.never.type": "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
		"predicates.never.pattern": "no-such-topic"}
	for _, q := range []string{"orders", "users", "pageviews"} {
		for _, extra := range []map[string]string{{}, {"value.converter.replace.null.with.default": "false"}, {"value.converter.decimal.format": "NUMERIC"}} {
			cfg := map[string]string{"name": "dg-" + q, "connector.class": "DatagenConnector", "kafka.topic": q, "quickstart": q,
				"max.interval": "0", "task.id": "1", "tasks.max": "2", "random.seed": "5"}
			worker := maps.Clone(jsonWorkerConfig)
			maps.Copy(worker, extra)
			fast := sourcePipeline(t, cfg, worker)
			got := produced(t, fast, cfg)
			if !fast.jsonValues {
				t.Fatalf("%s %v: the task was not asked to write JSON", q, extra)
			}
			withChain := maps.Clone(cfg)
			maps.Copy(withChain, identity)
			slow := sourcePipeline(t, withChain, worker)
			want := produced(t, slow, withChain)
			if slow.jsonValues {
				t.Fatalf("%s: the task wrote JSON with a transformation", q)
			}
			sameKafkaRecords(t, got, want)
		}
	}
	cfg := map[string]string{"name": "dg", "connector.class": "DatagenConnector", "kafka.topic": "t", "quickstart": "orders", "max.interval": "0"}
	withSchemas := maps.Clone(jsonWorkerConfig)
	withSchemas["value.converter.schemas.enable"] = "true"
	if p := sourcePipeline(t, cfg, withSchemas); produced(t, p, cfg) != nil && p.jsonValues {
		t.Error("the task wrote schemaless JSON for a converter with schemas")
	}
}

// jsonWorkerConfig is the passthrough benchmark's worker: string keys,
// JSON values without schemas.
var jsonWorkerConfig = map[string]string{
	"key.converter":   "org.apache.kafka.connect.storage.StringConverter",
	"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
}

func sameKafkaRecords(t *testing.T, got, want []*kgo.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !bytes.Equal(g.Value, w.Value) || !bytes.Equal(g.Key, w.Key) || !reflect.DeepEqual(g.Headers, w.Headers) ||
			g.Topic != w.Topic || !g.Timestamp.Equal(w.Timestamp) {
			t.Fatalf("record %d:\n got key=%s value=%s headers=%v\nwant key=%s value=%s headers=%v", i, g.Key, g.Value, g.Headers, w.Key, w.Value, w.Headers)
		}
	}
}

// TestSourceDeadLetterKeepsJSONText: a source record whose value the task
// wrote as JSON goes to the dead-letter queue with those bytes (it was
// printed as a Go pointer before).
func TestSourceDeadLetterKeepsJSONText(t *testing.T) {
	p := sourcePipeline(t, map[string]string{"name": "dlq", "connector.class": "DatagenConnector", "kafka.topic": "t"}, jsonWorkerConfig)
	text := connectors.JSONText(`{"a":1}`)
	kr := sourceDeadLetter(context.Background(), &connectors.Record{Topic: "t", KeySchema: connectors.StringSchema, Key: "k",
		Value: &text, Timestamp: connectors.NoTimestamp}, p.convs)
	if string(kr.Value) != `{"a":1}` || string(kr.Key) != "k" {
		t.Errorf("dead letter key %q value %q, want k and the JSON", kr.Key, kr.Value)
	}
}
