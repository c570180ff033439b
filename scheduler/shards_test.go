package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state"
)

// Every shard goes to exactly one member; a member leaving moves only its
// own shards; a scheduler missing from the list holds nothing.
func TestAssignShards(t *testing.T) {
	members := []string{"sched-a:8083/pid-1/1", "sched-b:8083/pid-2/2", "sched-c:8083/pid-3/3"}
	for _, tc := range []struct {
		name    string
		shards  int
		members []string
	}{
		{"one member", 16, members[:1]},
		{"three members, 64 shards", 64, members},
		{"three members, 7 shards", 7, members},
		{"two members", 64, members[1:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			owner := map[int]string{}
			for _, m := range tc.members {
				for _, k := range assignShards(tc.shards, tc.members, m) {
					if prev, ok := owner[k]; ok {
						t.Fatalf("shard %d assigned to %s and %s", k, prev, m)
					}
					owner[k] = m
				}
			}
			if len(owner) != tc.shards {
				t.Fatalf("%d of %d shards assigned", len(owner), tc.shards)
			}
			if got := assignShards(tc.shards, tc.members, "not-a-member"); got != nil {
				t.Fatalf("a non-member is assigned %v", got)
			}
		})
	}
	// Member c leaves: a and b keep every shard they had.
	for _, m := range members[:2] {
		before, after := assignShards(64, members, m), assignShards(64, members[:2], m)
		for _, k := range before {
			if !slices.Contains(after, k) {
				t.Errorf("%s lost shard %d when another member left", m, k)
			}
		}
	}
	// Balance: no member of three holds more than half of 64 shards.
	for _, m := range members {
		if n := len(assignShards(64, members, m)); n < 10 || n > 32 {
			t.Errorf("%s holds %d of 64 shards", m, n)
		}
	}
}

// A store without a member list cannot run sharded dispatch: New says so.
func TestShardsNeedMembers(t *testing.T) {
	type plainStore struct{ state.Store }
	_, err := New(Options{Store: plainStore{newFakeStore()}, Catalogue: testCatalogue{}, Dispatcher: nopDispatcher{}, Shards: 8})
	if !errors.Is(err, ErrShardsUnsupported) {
		t.Fatalf("New with Shards=8 on a store without members: %v, want ErrShardsUnsupported", err)
	}
	if _, err := New(Options{Store: newFakeStore(), Catalogue: testCatalogue{}, Dispatcher: nopDispatcher{}, Shards: maxShards + 1}); err == nil {
		t.Fatal("New accepted Shards above the maximum")
	}
}

// span is one invocation a scheduler dispatched.
type span struct {
	sched      string
	start, end time.Time
}

// spanLog records every scheduler's invocations on one fake clock.
type spanLog struct {
	mu    sync.Mutex
	spans map[taskKey][]span
}

// dispatcher returns scheduler name's Dispatcher: each invocation takes 10ms
// of fake time and moves a record, so tasks never back off as idle ones do.
func (l *spanLog) dispatcher(name string) Dispatcher {
	return dispatchFunc(func(ctx context.Context, inv wire.Invocation) (wire.Result, error) {
		start := time.Now()
		time.Sleep(10 * time.Millisecond)
		l.mu.Lock()
		k := taskKey{inv.Connector, inv.Task}
		l.spans[k] = append(l.spans[k], span{name, start, time.Now()})
		l.mu.Unlock()
		return wire.Result{ID: inv.ID, Epoch: inv.Epoch, State: wire.StateRunning, Read: 1, Written: 1, InstanceID: name}, nil
	})
}

// since lists which schedulers dispatched each task after t.
func (l *spanLog) since(t time.Time) map[taskKey][]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[taskKey][]string{}
	for k, ss := range l.spans {
		for _, s := range ss {
			if !s.start.Before(t) && !slices.Contains(out[k], s.sched) {
				out[k] = append(out[k], s.sched)
			}
		}
	}
	return out
}

// overlaps reports a task two schedulers ran at the same moment.
func (l *spanLog) overlaps() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, ss := range l.spans {
		for i, a := range ss {
			for _, b := range ss[i+1:] {
				if a.sched != b.sched && a.start.Before(b.end) && b.start.Before(a.end) {
					return fmt.Errorf("task %v ran on %s [%v, %v] and %s [%v, %v] at once", k, a.sched, a.start, a.end, b.sched, b.start, b.end)
				}
			}
		}
	}
	return nil
}

type dispatchFunc func(ctx context.Context, inv wire.Invocation) (wire.Result, error)

func (f dispatchFunc) Dispatch(ctx context.Context, inv wire.Invocation) (wire.Result, error) {
	return f(ctx, inv)
}

// cutStore is a store whose lease and member calls fail once cut: a
// scheduler cut off from the store's leases while it can still dispatch.
type cutStore struct {
	*fakeStore
	mu  sync.Mutex
	cut bool
}

var errCut = errors.New("store unreachable (test partition)")

func (c *cutStore) isCut() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.cut }

func (c *cutStore) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if c.isCut() {
		return false, errCut
	}
	return c.fakeStore.AcquireLease(ctx, name, holder, ttl)
}

func (c *cutStore) Members(ctx context.Context, group, holder string, ttl time.Duration) ([]state.Member, error) {
	if c.isCut() {
		return nil, errCut
	}
	return c.fakeStore.Members(ctx, group, holder, ttl)
}

// Three schedulers share 24 connectors over 16 shards: each task is
// dispatched by exactly one of them. One is cut off from the leases: it
// stops within its lease time and the others take its connectors; one stops
// cleanly: the last takes everything. No task ever runs on two at once.
func TestShardedDispatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ttl, conns = 300 * time.Millisecond, 24
		store := newFakeStore()
		cut := &cutStore{fakeStore: store}
		log := &spanLog{spans: map[taskKey][]span{}}
		scheds := map[string]*Scheduler{}
		for _, name := range []string{"a", "b", "c"} {
			var st state.Store = store
			if name == "c" {
				st = cut
			}
			s, err := New(Options{Store: st, Catalogue: newTestScheduler(t, store, nil).o.Catalogue, Dispatcher: log.dispatcher(name),
				WorkerID: name + ":8083", Shards: 16, LeaseTTL: ttl, Logger: newTestScheduler(t, store, nil).o.Logger})
			if err != nil {
				t.Fatal(err)
			}
			scheds[name] = s
		}
		for i := range conns {
			call(t, scheds["a"].Handler(), "POST", "/connectors", fmt.Sprintf(`{"name":"conn-%02d","config":{"connector.class":"TestSource","tables":"t1"}}`, i))
		}
		stops := map[string]func(){}
		for name, s := range scheds {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			stops[name] = func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("Run %s: %v", name, err)
				}
			}
		}
		defer func() {
			for _, stop := range stops {
				stop()
			}
		}()
		owners := func(from time.Time) map[taskKey][]string {
			time.Sleep(time.Second)
			return log.since(from)
		}
		time.Sleep(2 * ttl) // everyone joined and took their shards
		got := owners(time.Now())
		if len(got) != conns {
			t.Fatalf("%d of %d tasks dispatched with three schedulers", len(got), conns)
		}
		want := assignedOwners(store, 16)
		used := map[string]bool{}
		for k, s := range got {
			if len(s) != 1 {
				t.Fatalf("task %v dispatched by %v", k, s)
			}
			if s[0] != want(k.Connector) {
				t.Fatalf("task %v dispatched by %s, its shard is %s's", k, s[0], want(k.Connector))
			}
			used[s[0]] = true
		}
		if len(used) < 2 {
			t.Fatalf("only %v dispatched: the shards did not spread", used)
		}

		cut.mu.Lock()
		cut.cut = true
		cut.mu.Unlock()
		time.Sleep(ttl + ttl/3) // c's leases and membership lapse; a and b take its shards
		for k, s := range owners(time.Now()) {
			if len(s) != 1 || s[0] == "c" {
				t.Fatalf("after c was cut off, task %v dispatched by %v", k, s)
			}
		}

		stops["b"]()
		delete(stops, "b")
		time.Sleep(ttl / 2) // b left: a takes its shards at its next round
		got = owners(time.Now())
		if len(got) != conns {
			t.Fatalf("%d of %d tasks dispatched after b stopped", len(got), conns)
		}
		for k, s := range got {
			if len(s) != 1 || s[0] != "a" {
				t.Fatalf("after b stopped, task %v dispatched by %v", k, s)
			}
		}
		if err := log.overlaps(); err != nil {
			t.Fatal(err)
		}
	})
}

// assignedOwners returns, for a connector, the scheduler (a, b or c: its
// WorkerID's host) that rendezvous hashing gives the connector's shard among
// the store's live members. The members' holder ids carry the process id,
// so which scheduler gets which shards differs between runs.
func assignedOwners(store *fakeStore, shards int) func(connector string) string {
	store.mu.Lock()
	var members []string
	for m, exp := range store.members[membersGroup] {
		if time.Now().Before(exp) {
			members = append(members, m)
		}
	}
	store.mu.Unlock()
	return func(connector string) string {
		k := shardOf(connector, shards)
		for _, m := range members {
			if slices.Contains(assignShards(shards, members, m), k) {
				return m[:strings.Index(m, ":")]
			}
		}
		return ""
	}
}
