package statetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/ferryhq/ferry/state"
)

func entry(partition, offset map[string]any) state.OffsetEntry {
	return state.OffsetEntry{Partition: partition, Offset: offset}
}

func file(name string) map[string]any { return map[string]any{"filename": name} }

func pos(p int64) map[string]any { return map[string]any{"position": p} }

// testOffsets commits batches with the current epoch and checks what
// ReadOffsets returns afterwards.
func testOffsets(t *testing.T, open Opener) {
	mixed := map[string]any{"i": int64(-3), "f": 1.5, "s": "x<&>y", "b": true, "n": nil, "big": int64(1) << 60}
	tests := []struct {
		name    string
		batches [][]state.OffsetEntry
		want    []state.OffsetEntry
	}{
		{"nothing", nil, []state.OffsetEntry{}},
		{"one partition", [][]state.OffsetEntry{{entry(file("/a"), pos(5))}},
			[]state.OffsetEntry{entry(file("/a"), pos(5))}},
		{"later commit wins", [][]state.OffsetEntry{{entry(file("/a"), pos(5))}, {entry(file("/a"), pos(9))}},
			[]state.OffsetEntry{entry(file("/a"), pos(9))}},
		{"many partitions", [][]state.OffsetEntry{{entry(file("/b"), pos(2)), entry(file("/a"), pos(1))}, {entry(file("/c"), pos(3))}},
			[]state.OffsetEntry{entry(file("/a"), pos(1)), entry(file("/b"), pos(2)), entry(file("/c"), pos(3))}},
		{"tombstone removes", [][]state.OffsetEntry{{entry(file("/a"), pos(1)), entry(file("/b"), pos(2))}, {entry(file("/a"), nil)}},
			[]state.OffsetEntry{entry(file("/b"), pos(2))}},
		{"tombstone of unknown partition", [][]state.OffsetEntry{{entry(file("/x"), nil)}}, []state.OffsetEntry{}},
		{"value types", [][]state.OffsetEntry{{entry(map[string]any{"table": "t", "shard": int64(2)}, mixed)}},
			[]state.OffsetEntry{entry(map[string]any{"table": "t", "shard": int64(2)}, mixed)}},
		{"empty batch", [][]state.OffsetEntry{{}}, []state.OffsetEntry{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fresh(t, open)
			c := ctx(t)
			epoch, err := s.NextEpoch(c, "src", 0)
			must(t, err)
			for _, b := range tt.batches {
				must(t, s.CommitOffsets(c, "src", 0, epoch, b))
			}
			// Another connector's offsets never show up.
			must(t, s.CommitOffsets(c, "other", 0, 0, []state.OffsetEntry{entry(file("/a"), pos(100))}))
			got, err := s.ReadOffsets(c, "src")
			must(t, err)
			assertOffsets(t, got, tt.want)
		})
	}
}

// assertOffsets compares offsets regardless of order.
func assertOffsets(t *testing.T, got, want []state.OffsetEntry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("ReadOffsets = %+v, want %+v", got, want)
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			if reflect.DeepEqual(g.Partition, w.Partition) {
				found = true
				if !reflect.DeepEqual(g.Offset, w.Offset) {
					t.Fatalf("offset of %v = %#v, want %#v", w.Partition, g.Offset, w.Offset)
				}
			}
		}
		if !found {
			t.Fatalf("partition %v missing from %+v", w.Partition, got)
		}
	}
}

// testFencing checks which epochs CommitOffsets and CheckEpoch accept.
func testFencing(t *testing.T, open Opener) {
	tests := []struct {
		name   string
		issue  int   // NextEpoch calls before the commit
		epoch  int64 // epoch the commit carries
		fenced bool
	}{
		{"zero before any epoch", 0, 0, false},
		{"one before any epoch", 0, 1, true},
		{"current", 1, 1, false},
		{"current after many", 5, 5, false},
		{"stale", 2, 1, true},
		{"zero after an epoch", 1, 0, true},
		{"future", 1, 2, true},
		{"negative", 0, -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fresh(t, open)
			c := ctx(t)
			for i := 0; i < tt.issue; i++ {
				_, err := s.NextEpoch(c, "f", 1)
				must(t, err)
			}
			checkErr := s.CheckEpoch(c, "f", 1, tt.epoch)
			commitErr := s.CommitOffsets(c, "f", 1, tt.epoch, []state.OffsetEntry{entry(file("/a"), pos(1))})
			if !tt.fenced {
				must(t, checkErr)
				must(t, commitErr)
				return
			}
			mustFenced(t, checkErr)
			mustFenced(t, commitErr)
			got, err := s.ReadOffsets(c, "f")
			must(t, err)
			assertOffsets(t, got, []state.OffsetEntry{})
		})
	}
}

// testFencedCommitWritesNothing checks that neither a fenced commit nor a
// commit with an invalid entry changes anything, even partly.
func testFencedCommitWritesNothing(t *testing.T, open Opener) {
	s := fresh(t, open)
	c := ctx(t)
	e1, err := s.NextEpoch(c, "w", 0)
	must(t, err)
	before := []state.OffsetEntry{entry(file("/a"), pos(1)), entry(file("/b"), pos(1))}
	must(t, s.CommitOffsets(c, "w", 0, e1, before))
	e2, err := s.NextEpoch(c, "w", 0)
	must(t, err)

	mustFenced(t, s.CommitOffsets(c, "w", 0, e1, []state.OffsetEntry{
		entry(file("/a"), pos(2)), entry(file("/b"), nil), entry(file("/c"), pos(2)),
	}))
	bad := s.CommitOffsets(c, "w", 0, e2, []state.OffsetEntry{
		entry(file("/a"), pos(3)), entry(file("/c"), map[string]any{"nested": map[string]any{"x": 1}}),
	})
	if bad == nil || errors.Is(bad, state.ErrFenced) {
		t.Fatalf("commit of a non-primitive offset = %v, want a validation error", bad)
	}
	if bad := s.CommitOffsets(c, "w", 0, e2, []state.OffsetEntry{{Offset: pos(3)}}); bad == nil {
		t.Fatal("commit of an entry without partition succeeded")
	}
	got, err := s.ReadOffsets(c, "w")
	must(t, err)
	assertOffsets(t, got, before)
}
