package functions

import (
	"reflect"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state"
)

// countingOffset is a lazy source offset that counts how often it is built.
type countingOffset struct {
	pos   int64
	built *int
}

func (c countingOffset) BuildOffset() map[string]any {
	*c.built++
	return map[string]any{"pos": c.pos}
}

// TestOffsetTrackerLatestPerPartition: the tracker commits each partition's
// latest offset, in first-seen order, whether a record carries its offset as
// a map or as a lazy builder; a lazy offset is built once per partition, not
// once per record.
func TestOffsetTrackerLatestPerPartition(t *testing.T) {
	built := 0
	a, b := map[string]any{"p": "a"}, map[string]any{"p": "b"}
	lazy := func(p map[string]any, pos int64) *connectors.Record {
		return &connectors.Record{Topic: "t", SourcePartition: p, LazyOffset: countingOffset{pos, &built}}
	}
	recs := []*connectors.Record{
		lazy(a, 1), lazy(a, 2),
		{Topic: "t", SourcePartition: b, SourceOffset: map[string]any{"pos": int64(7)}},
		lazy(a, 3),
		{Topic: "t", SourcePartition: map[string]any{"p": "b"}, SourceOffset: map[string]any{"pos": int64(8)}},
		{Topic: "t"}, // no partition: not tracked
	}
	tr := offsetTracker{connector: "c"}
	for _, r := range recs {
		if err := tr.note(r); err != nil {
			t.Fatal(err)
		}
	}
	want := []state.OffsetEntry{
		{Partition: a, Offset: map[string]any{"pos": int64(3)}},
		{Partition: map[string]any{"p": "b"}, Offset: map[string]any{"pos": int64(8)}},
	}
	if got := tr.entries(); !reflect.DeepEqual(got, want) || tr.noted() != 2 {
		t.Fatalf("entries %v (%d partitions), want %v", got, tr.noted(), want)
	}
	if built != 1 {
		t.Fatalf("lazy offsets built %d times, want 1", built)
	}
}
