package kafka

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kgo"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestRecordsGolden pins the offsets-topic bytes: key [connector, partition]
// and the JSON offset, a tombstone for a nil offset.
func TestRecordsGolden(t *testing.T) {
	o := New(nil, "")
	recs, err := o.Records("jdbc-orders", []state.OffsetEntry{
		{Partition: map[string]any{"protocol": "1", "table": "db.orders"}, Offset: map[string]any{"incrementing": int64(42), "timestamp_nanos": int64(0)}},
		{Partition: map[string]any{"filename": "/tmp/a<b>&c.txt"}, Offset: map[string]any{"position": int64(1024)}},
		{Partition: map[string]any{"datagen": "task-0"}, Offset: nil},
	})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", r.Topic, r.Key, r.Value)
	}
	path := filepath.Join("testdata", "offsets.golden")
	if *update {
		_ = os.WriteFile(path, []byte(b.String()), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil || string(want) != b.String() {
		t.Fatalf("differs from %s (go test -update rewrites it): %v\n%s", path, err, b.String())
	}
}

// TestLatest replays an offsets topic: last value wins, tombstones reset,
// other connectors and malformed keys are skipped, first-seen order is kept.
func TestLatest(t *testing.T) {
	rec := func(key, value string) *kgo.Record {
		r := &kgo.Record{Key: []byte(key)}
		if value != "" {
			r.Value = []byte(value)
		}
		return r
	}
	l := &latest{known: map[string]bool{}, byKey: map[string]state.OffsetEntry{}}
	for _, r := range []*kgo.Record{
		rec(`["c",{"p":1}]`, `{"o":1}`),
		rec(`["c",{"p":2}]`, `{"o":10}`),
		rec(`["other",{"p":1}]`, `{"o":99}`),
		rec(`not json`, `{"o":5}`),
		rec(`["c",null]`, `{"o":5}`),
		rec(`["c",{"p":1}]`, `{"o":2}`),
		rec(`["c",{"p":2}]`, ``),
		rec(`["c",{"p":2}]`, `{"o":11}`),
		rec(`["c",{"p":3}]`, `{"o":`),
	} {
		l.apply("c", r)
	}
	got := l.entries()
	want := []state.OffsetEntry{
		{Partition: map[string]any{"p": int64(1)}, Offset: map[string]any{"o": int64(2)}},
		{Partition: map[string]any{"p": int64(2)}, Offset: map[string]any{"o": int64(11)}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
