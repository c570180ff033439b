package datagen

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// TestJSONValuesMatchStructs runs two tasks side by side, one returning
// Structs and one writing its values as JSON (WriteJSONValues), over every
// quickstart, every key field, two tasks, paced and unpaced: the JSON must be
// what connectjson writes for the Struct under each JsonConverter setting, and
// keys, headers, timestamps and offsets must be equal.
func TestJSONValuesMatchStructs(t *testing.T) {
	for _, name := range quickstartNames() {
		q, _ := lookupQuickstart(name)
		for _, key := range q.schema.Fields {
			for _, c := range []struct{ task, interval string }{{"0", "0"}, {"1", "0"}, {"1", "50"}} {
				t.Run(fmt.Sprintf("%s/key=%s/task=%s/interval=%s", name, key.Name, c.task, c.interval), func(t *testing.T) {
					p := props("quickstart", name, "schema.keyfield", key.Name, "task.id", c.task, "tasks.max", "2",
						"max.interval", c.interval, "iterations", "2500")
					structs, texts := openAt(t, p), openAt(t, p)
					if !texts.WriteJSONValues() {
						t.Fatal("WriteJSONValues refused")
					}
					for range 4 {
						compareBatches(t, poll(t, structs), poll(t, texts))
					}
				})
			}
		}
	}
}

// openAt opens a task whose clock stands still (at the goldens' time), so
// paced tasks emit the same records.
func openAt(t *testing.T, p map[string]string) *Task {
	t.Helper()
	task := NewTask()
	task.now = func() time.Time { return time.UnixMilli(1700000000000) }
	if err := task.Open(t.Context(), p, nil); err != nil {
		t.Fatal(err)
	}
	return task
}

func compareBatches(t *testing.T, structs, texts []*connectors.Record) {
	t.Helper()
	if len(structs) != len(texts) {
		t.Fatalf("%d records with Structs, %d with JSON", len(structs), len(texts))
	}
	for i, want := range structs {
		got := texts[i]
		text, ok := got.Value.(*connectors.JSONText)
		if !ok || got.ValueSchema != nil {
			t.Fatalf("record %d: value %T with schema %v, want a *JSONText without schema", i, got.Value, got.ValueSchema)
		}
		for _, o := range []connectjson.Options{{}, {ReplaceNullWithDefault: true}, {DecimalNumeric: true}} {
			v, err := connectjson.AppendValue(nil, want.ValueSchema, want.Value, o)
			if err != nil || !bytes.Equal(v, *text) {
				t.Fatalf("record %d (options %+v):\n got %s\nwant %s (%v)", i, o, *text, v, err)
			}
		}
		if got.Key != want.Key || got.KeySchema != want.KeySchema || got.Timestamp != want.Timestamp || got.Topic != want.Topic ||
			!reflect.DeepEqual(got.Headers, want.Headers) || !reflect.DeepEqual(got.SourceOffsetMap(), want.SourceOffsetMap()) ||
			!reflect.DeepEqual(got.SourcePartition, want.SourcePartition) {
			t.Fatalf("record %d differs beyond its value:\n got %+v\nwant %+v", i, got, want)
		}
	}
}

// TestJSONDoubles checks the double writer against connectjson's on the
// values a draw can hold and the ones it cannot (NaN, infinities, -0).
func TestJSONDoubles(t *testing.T) {
	for _, f := range []float64{0.1, 9.999999999999998, 1e-7, 1e21, 123456789.125, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1)} {
		want, err := connectjson.AppendValue(nil, connectors.Float64Schema, f, connectjson.Options{})
		if got := appendJSONDouble(nil, f); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%v: got %s, want %s (%v)", f, got, want, err)
		}
	}
}
