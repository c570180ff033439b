package statetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/ferryhq/ferry/state"
)

// testRacingRounds: per round epoch A then epoch B are issued, and two
// goroutines commit concurrently with A and B. A must always be fenced, B
// must always succeed, and B's offset must be the stored one.
func testRacingRounds(t *testing.T, open Opener) {
	s := fresh(t, open)
	c := ctx(t)
	for round := int64(1); round <= 50; round++ {
		a, err := s.NextEpoch(c, "race", 0)
		must(t, err)
		b, err := s.NextEpoch(c, "race", 0)
		must(t, err)
		var errA, errB error
		var wg sync.WaitGroup
		wg.Go(func() {
			errA = s.CommitOffsets(c, "race", 0, a, []state.OffsetEntry{entry(file("/r"), pos(-round))})
		})
		wg.Go(func() {
			errB = s.CommitOffsets(c, "race", 0, b, []state.OffsetEntry{entry(file("/r"), pos(round))})
		})
		wg.Wait()
		mustFenced(t, errA)
		must(t, errB)
		got, err := s.ReadOffsets(c, "race")
		must(t, err)
		assertOffsets(t, got, []state.OffsetEntry{entry(file("/r"), pos(round))})
	}
}

// testRacingInvocations: several invocations of one task each take an epoch
// and commit, all at once. Whoever holds the largest epoch must succeed and
// its offset must be the one stored, whatever the interleaving: an older
// epoch can only commit before the newest was issued.
func testRacingInvocations(t *testing.T, open Opener) {
	s := fresh(t, open)
	c := ctx(t)
	const invocations = 6
	for round := 0; round < 50; round++ {
		type outcome struct {
			epoch int64
			err   error
		}
		results := make([]outcome, invocations)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() {
				e, err := s.NextEpoch(c, "zombies", 2)
				if err != nil {
					results[i] = outcome{err: err}
					return
				}
				results[i] = outcome{e, s.CommitOffsets(c, "zombies", 2, e, []state.OffsetEntry{entry(file("/z"), pos(e))})}
			})
		}
		wg.Wait()
		var newest outcome
		for _, r := range results {
			if r.err != nil && !errors.Is(r.err, state.ErrFenced) {
				t.Fatalf("round %d: commit with epoch %d: %v", round, r.epoch, r.err)
			}
			if r.epoch > newest.epoch {
				newest = r
			}
		}
		if newest.err != nil {
			t.Fatalf("round %d: newest epoch %d was fenced: %v", round, newest.epoch, newest.err)
		}
		got, err := s.ReadOffsets(c, "zombies")
		must(t, err)
		assertOffsets(t, got, []state.OffsetEntry{entry(file("/z"), pos(newest.epoch))})
	}
}
