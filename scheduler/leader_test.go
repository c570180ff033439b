package scheduler

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
)

// Two schedulers share one store: only the lease holder dispatches, and when
// it stops the other takes over within the lease's ttl.
func TestOnlyTheLeaderDispatches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := newFakeStore()
		reply := func(inv wire.Invocation) (wire.Result, error) {
			return wire.Result{ID: inv.ID, Epoch: inv.Epoch, State: wire.StateRunning, More: true, InstanceID: "w"}, nil
		}
		da, db := newFakeDispatcher(reply), newFakeDispatcher(reply)
		a, b := newTestScheduler(t, store, da), newTestScheduler(t, store, db)
		a.o.LeaseTTL, b.o.LeaseTTL = 300*time.Millisecond, 300*time.Millisecond
		call(t, a.Handler(), "POST", "/connectors", `{"name":"c","config":{"connector.class":"TestSource","tables":"t1"}}`)
		ctxA, stopA := context.WithCancel(context.Background())
		doneA := make(chan error, 1)
		go func() { doneA <- a.Run(ctxA) }()
		eventually(t, "the first scheduler to dispatch", func() bool { return da.count(taskKey{"c", 0}) >= 10 })
		startLoop(t, b)
		time.Sleep(400 * time.Millisecond) // fake time, more than a ttl: b must still stand by
		if n := db.count(taskKey{"c", 0}); n != 0 {
			t.Fatalf("follower dispatched %d invocations while the leader held the lease", n)
		}
		stopA()
		if err := <-doneA; err != nil {
			t.Fatal(err)
		}
		before := da.count(taskKey{"c", 0})
		eventually(t, "the follower to take over", func() bool { return db.count(taskKey{"c", 0}) >= 10 })
		if after := da.count(taskKey{"c", 0}); after != before {
			t.Fatalf("stopped leader dispatched %d more invocations", after-before)
		}
		da.mu.Lock()
		last := da.epochs[taskKey{"c", 0}][before-1]
		da.mu.Unlock()
		db.mu.Lock()
		first := db.epochs[taskKey{"c", 0}][0]
		db.mu.Unlock()
		if first <= last {
			t.Fatalf("new leader's first epoch %d is not above the old leader's last %d", first, last)
		}
	})
}
