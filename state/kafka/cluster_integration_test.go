//go:build integration

package kafka

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestAcrossProcesses: stores with their own clients on the same topics (as
// separate processes have) share one epoch sequence, and a commit with a
// stale epoch from one is fenced by an epoch the other took, also when both
// race (no in-process lock orders them).
func TestAcrossProcesses(t *testing.T) {
	o := testOptions(t)
	stores := []*Store{open(t, o), open(t, o), open(t, o)}
	for _, s := range stores {
		defer s.Close()
	}
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Go(func() {
			for range 10 {
				e, err := s.NextEpoch(ctx, "x", 0)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[e] {
					t.Errorf("epoch %d handed out twice", e)
				}
				seen[e] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := stores[2].CheckEpoch(ctx, "x", 0, 30); err != nil {
		t.Fatal(err)
	}
	for round := int64(1); round <= 10; round++ {
		a, err := stores[0].NextEpoch(ctx, "race", 0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := stores[1].NextEpoch(ctx, "race", 0)
		if err != nil {
			t.Fatal(err)
		}
		var errA, errB error
		wg.Go(func() { errA = stores[0].CommitOffsets(ctx, "race", 0, a, offsetAt(-round)) })
		wg.Go(func() { errB = stores[2].CommitOffsets(ctx, "race", 0, b, offsetAt(round)) })
		wg.Wait()
		if !errors.Is(errA, state.ErrFenced) || errB != nil {
			t.Fatalf("round %d: stale commit %v, current commit %v", round, errA, errB)
		}
		got, err := stores[1].ReadOffsets(ctx, "race")
		if err != nil || len(got) != 1 || got[0].Offset["position"] != round {
			t.Fatalf("round %d: offsets %v, %v", round, got, err)
		}
	}
}

func offsetAt(p int64) []state.OffsetEntry {
	return []state.OffsetEntry{{Partition: map[string]any{"filename": "/r"}, Offset: map[string]any{"position": p}}}
}

// TestLeaderElection: of two schedulers' stores exactly one leads; when it
// closes, the other leads.
func TestLeaderElection(t *testing.T) {
	o := testOptions(t)
	a, b := open(t, o), open(t, o)
	defer b.Close()
	ctx := context.Background()
	const ttl = 6 * time.Second
	leads := func() (bool, bool) {
		la, errA := a.AcquireLease(ctx, "scheduler", "a", ttl)
		lb, errB := b.AcquireLease(ctx, "scheduler", "b", ttl)
		if err := errors.Join(errA, errB); err != nil {
			t.Fatal(err)
		}
		return la, lb
	}
	deadline := time.Now().Add(30 * time.Second)
	la, lb := leads()
	for la == lb && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		la, lb = leads()
	}
	if la == lb {
		t.Fatalf("a leads %v, b leads %v: want exactly one", la, lb)
	}
	leader, other := a, b
	if lb {
		leader, other = b, a
	}
	leader.Close()
	for time.Now().Before(deadline) {
		if l, err := other.AcquireLease(ctx, "scheduler", "other", ttl); err != nil || l {
			if err != nil {
				t.Fatal(err)
			}
			if leader == a {
				return
			}
			a = other // b closed by the deferred Close; a must not be closed twice
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("the other scheduler did not lead after the leader closed")
}

// TestTopicSettingsRefused: existing topics that would lose data are
// refused at start, naming the topic, the setting and the fix.
func TestTopicSettingsRefused(t *testing.T) {
	ctx := context.Background()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds(t)...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	del := "delete"
	tests := []struct {
		name   string
		create func(o Options) (string, int32, map[string]*string)
		want   []string
	}{
		{"config topic not compacted", func(o Options) (string, int32, map[string]*string) {
			return o.Topics.Config, 1, map[string]*string{"cleanup.policy": &del}
		}, []string{"config.storage.topic", "cleanup.policy=compact", "--add-config cleanup.policy=compact"}},
		{"config topic with two partitions", func(o Options) (string, int32, map[string]*string) {
			return o.Topics.Config, 2, nil
		}, []string{"config.storage.topic", "single partition", "2 partitions"}},
		{"status topic not compacted", func(o Options) (string, int32, map[string]*string) {
			return o.Topics.Status, 5, nil
		}, []string{"status.storage.topic", "cleanup.policy=delete"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t)
			topic, parts, cfg := tt.create(o)
			if _, err := adm.CreateTopic(ctx, parts, 1, cfg, topic); err != nil {
				t.Fatal(err)
			}
			s, err := Open(ctx, o)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, ErrTopicSettings) {
				t.Fatalf("Open = %v, want ErrTopicSettings", err)
			}
			for _, w := range append(tt.want, topic) {
				if !contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
