package statetest

import (
	"context"
	"testing"

	"github.com/ferryhq/ferry/state"
)

// BenchCommitOffsets measures committing one partition with the current
// epoch, as each invocation does once.
func BenchCommitOffsets(b *testing.B, s state.Store) {
	ctx := context.Background()
	epoch, err := s.NextEpoch(ctx, "bench", 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var i int64
	for b.Loop() {
		i++
		err := s.CommitOffsets(ctx, "bench", 0, epoch, []state.OffsetEntry{entry(file("/bench"), pos(i))})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchNextEpoch measures taking a new epoch, as each dispatch does once.
func BenchNextEpoch(b *testing.B, s state.Store) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.NextEpoch(ctx, "bench", 0); err != nil {
			b.Fatal(err)
		}
	}
}
