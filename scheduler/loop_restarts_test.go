package scheduler

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
)

// A task fails on the dispatching scheduler; its restart is sent to
// another scheduler on the same store (a standby, or the holder of another
// shard). The dispatching one picks it up from the store and runs the task
// again.
func TestRestartThroughAnotherScheduler(t *testing.T) {
	for _, shards := range []int{1, 4} {
		synctest.Test(t, func(t *testing.T) {
			store := newFakeStore()
			var fail atomic.Bool
			fail.Store(true)
			reply := func(inv wire.Invocation) (wire.Result, error) {
				if fail.Load() {
					return wire.Result{ID: inv.ID, Epoch: inv.Epoch, State: wire.StateFailed, Trace: "boom", InstanceID: "w"}, nil
				}
				return wire.Result{ID: inv.ID, Epoch: inv.Epoch, State: wire.StateRunning, Read: 1, InstanceID: "w"}, nil
			}
			da := newFakeDispatcher(reply)
			a, b := newTestScheduler(t, store, da), newTestScheduler(t, store, nopDispatcher{})
			a.o.LeaseTTL, b.o.LeaseTTL = 300*time.Millisecond, 300*time.Millisecond
			a.o.Shards = shards
			call(t, a.Handler(), "POST", "/connectors", `{"name":"c","config":{"connector.class":"TestSource","tables":"t1"}}`)
			startLoop(t, a)
			eventually(t, "the task to fail", func() bool {
				st, _ := store.TaskStatuses(context.Background(), "c")
				return len(st) == 1 && st[0].State == "FAILED"
			})
			failedAt := da.count(taskKey{"c", 0})
			time.Sleep(2 * time.Second)
			if n := da.count(taskKey{"c", 0}); n != failedAt {
				t.Fatalf("a failed task was dispatched %d more times before any restart", n-failedAt)
			}
			fail.Store(false)
			if code, out, _ := call(t, b.Handler(), "POST", "/connectors/c/tasks/0/restart", ""); code != 204 {
				t.Fatalf("restart through the other scheduler: %d %s", code, out)
			}
			eventually(t, "the dispatching scheduler to run the task again", func() bool {
				st, _ := store.TaskStatuses(context.Background(), "c")
				return da.count(taskKey{"c", 0}) > failedAt && len(st) == 1 && st[0].State == "RUNNING"
			})
		})
	}
}
