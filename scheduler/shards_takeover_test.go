package scheduler

import (
	"context"

	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ferryhq/ferry/state"
)

// The keeper's next round: every third of the ttl while members renew;
// just after a member that stopped renewing lapses; soon while a shard it
// should hold is still leased to another.
func TestNextRound(t *testing.T) {
	const ttl = 9 * time.Second
	live := []state.Member{{Name: "me", Left: ttl}, {Name: "other", Left: 7 * time.Second}}
	cases := []struct {
		name    string
		members []state.Member
		taken   bool
		want    time.Duration
	}{
		{"members renewing", live, true, 3 * time.Second},
		{"only me", []state.Member{{Name: "me", Left: ttl}}, true, 3 * time.Second},
		{"my own lapse does not count", []state.Member{{Name: "me", Left: time.Second}}, true, 3 * time.Second},
		{"another lapses in 2s", append(live, state.Member{Name: "dead", Left: 2 * time.Second}), true, 2*time.Second + ttl/50},
		{"another lapses after the round anyway", append(live, state.Member{Name: "dead", Left: 5 * time.Second}), true, 3 * time.Second},
		{"a shard still leased to another", live, false, ttl / 20},
		{"a lapse sooner than the retry", append(live, state.Member{Name: "dead", Left: 100 * time.Millisecond}), false, 100*time.Millisecond + ttl/50},
		{"already lapsed on the server", []state.Member{{Name: "dead", Left: -time.Second}}, true, time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextRound(ttl, tc.members, "me", tc.taken); got != tc.want {
				t.Fatalf("nextRound = %s, want %s", got, tc.want)
			}
		})
	}
}

// A scheduler cut off from the store just after renewing: the others hold
// every shard within the ttl of that renewal (plus a fiftieth of it), not
// up to a third of a ttl later at their next regular round. c starts a sixth
// of a ttl after a and b, so their rounds do not line up with its lapse.
func TestShardTakeoverWithinTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ttl, shards = 300 * time.Millisecond, 16
		store := newFakeStore()
		cut := &cutStore{fakeStore: store}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var started time.Time
		for _, name := range []string{"a", "b", "c"} {
			var st state.Store = store
			if name == "c" {
				st = cut
				time.Sleep(ttl / 6)
				started = time.Now()
			}
			base := newTestScheduler(t, store, nil)
			s, err := New(Options{Store: st, Catalogue: base.o.Catalogue, Dispatcher: base.o.Dispatcher,
				WorkerID: name + ":8083", Shards: shards, LeaseTTL: ttl, Logger: base.o.Logger})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() { defer close(done); _ = s.Run(ctx) }()
			t.Cleanup(func() { cancel(); <-done })
		}
		// just after one of c's rounds (every ttl/3 from its start)
		time.Sleep(started.Add(2*ttl + time.Millisecond).Sub(time.Now()))
		synctest.Wait()
		if held := leasedTo(store, "c:"); held == 0 {
			t.Fatal("c holds no shard before it is cut off")
		}
		renewed := started.Add(2 * ttl)
		cut.mu.Lock()
		cut.cut = true
		cut.mu.Unlock()
		for leasedTo(store, "a:")+leasedTo(store, "b:") < shards {
			if time.Since(renewed) > ttl+ttl/50+ttl/100 {
				t.Fatalf("%s after c's last renewal a and b hold %d of %d shards, want all within the ttl and a fiftieth (%s)",
					time.Since(renewed), leasedTo(store, "a:")+leasedTo(store, "b:"), shards, ttl+ttl/50)
			}
			time.Sleep(ttl / 100)
		}
	})
}

// leasedTo counts the shard leases live now whose holder starts with prefix.
func leasedTo(store *fakeStore, prefix string) int {
	store.mu.Lock()
	defer store.mu.Unlock()
	n := 0
	for name, l := range store.leases {
		if strings.HasPrefix(name, "scheduler-shard-") && strings.HasPrefix(l.holder, prefix) && time.Now().Before(l.expires) {
			n++
		}
	}
	return n
}
