package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state"
)

// fakeDispatcher records every invocation and checks the one-in-flight rule.
type fakeDispatcher struct {
	mu         sync.Mutex
	inFlight   map[taskKey]int
	total      int
	maxPerTask int
	maxTotal   int
	epochs     map[taskKey][]int64
	ids        map[string]bool
	dupIDs     int
	reply      func(inv wire.Invocation) (wire.Result, error)
}

func newFakeDispatcher(reply func(wire.Invocation) (wire.Result, error)) *fakeDispatcher {
	return &fakeDispatcher{inFlight: map[taskKey]int{}, epochs: map[taskKey][]int64{}, ids: map[string]bool{}, reply: reply}
}

func (d *fakeDispatcher) Dispatch(ctx context.Context, inv wire.Invocation) (wire.Result, error) {
	k := taskKey{inv.Connector, inv.Task}
	d.mu.Lock()
	d.inFlight[k]++
	d.total++
	d.maxPerTask = max(d.maxPerTask, d.inFlight[k])
	d.maxTotal = max(d.maxTotal, d.total)
	d.epochs[k] = append(d.epochs[k], inv.Epoch)
	if d.ids[inv.ID] {
		d.dupIDs++
	}
	d.ids[inv.ID] = true
	d.mu.Unlock()
	time.Sleep(time.Millisecond) // let other tasks' invocations overlap
	res, err := d.reply(inv)
	d.mu.Lock()
	d.inFlight[k]--
	d.total--
	d.mu.Unlock()
	return res, err
}

func (d *fakeDispatcher) count(k taskKey) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.epochs[k])
}

// startLoop runs s.Run until the test ends.
func startLoop(t *testing.T, s *Scheduler) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// eventually polls cond; the tests run in a synctest bubble, so its sleeps
// are fake time and the wait is deterministic.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLoopEpochsIncreaseOneInFlightPerTask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := newFakeStore()
		d := newFakeDispatcher(func(inv wire.Invocation) (wire.Result, error) {
			return wire.Result{ID: inv.ID, Epoch: inv.Epoch, State: wire.StateRunning, More: true, InstanceID: "w1"}, nil
		})
		s := newTestScheduler(t, store, d)
		h := s.Handler()
		call(t, h, "POST", "/connectors", `{"name":"a","config":{"connector.class":"TestSource","tables":"t1,t2,t3,t4","tasks.max":"4"}}`)
		call(t, h, "POST", "/connectors", `{"name":"b","config":{"connector.class":"TestSource","tables":"t1,t2"}}`)
		startLoop(t, s)
		keys := []taskKey{{"a", 0}, {"a", 1}, {"a", 2}, {"a", 3}, {"b", 0}}
		eventually(t, "50 invocations per task", func() bool {
			for _, k := range keys {
				if d.count(k) < 50 {
					return false
				}
			}
			return true
		})
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.maxPerTask != 1 {
			t.Errorf("max in flight per task = %d; want 1", d.maxPerTask)
		}
		if d.maxTotal < 2 {
			t.Errorf("max in flight overall = %d; tasks should run concurrently", d.maxTotal)
		}
		if d.dupIDs != 0 {
			t.Errorf("%d duplicate invocation ids", d.dupIDs)
		}
		for _, k := range keys {
			for i, e := range d.epochs[k] {
				if e != int64(i+1) {
					t.Fatalf("task %s: epochs %v; want 1, 2, 3, ...", k, d.epochs[k][:i+1])
				}
			}
		}
		if st, ok := store.status("a", 2); !ok || st.State != state.StateRunning || st.WorkerID != "w1" {
			t.Errorf("status of a-2 = %+v", st)
		}
	})
}

func TestLoopInvocationCarriesTaskConfig(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		got := make(chan wire.Invocation, 100)
		d := newFakeDispatcher(func(inv wire.Invocation) (wire.Result, error) {
			got <- inv
			return wire.Result{State: wire.StateRunning, InstanceID: "w"}, nil
		})
		s := newTestScheduler(t, newFakeStore(), d)
		call(t, s.Handler(), "POST", "/connectors", `{"name":"a","config":{"connector.class":"TestSource","tables":"t1","poll.interval.ms":"60000"}}`)
		startLoop(t, s)
		inv := <-got
		if inv.ID != "a-0-1" || inv.Epoch != 1 || inv.Class != testSourceClass || inv.Config["tables"] != "t1" || inv.Config["task.id"] != "0" ||
			inv.MaxRecords != 100000 || inv.TaskCount != 1 ||
			time.Until(inv.Deadline) > 10*time.Second || time.Until(inv.Deadline) < 9*time.Second {
			t.Errorf("invocation = %+v", inv)
		}
		select {
		case inv := <-got:
			t.Errorf("re-dispatched before poll.interval.ms: %+v", inv)
		case <-time.After(100 * time.Millisecond):
		}
	})
}

// errNoWorker is what a dispatcher reports when no function listens.
var errNoWorker = errors.New("no ferry worker is listening on the NATS invocation subject: start `ferry worker`")

func TestLoopPauseDeleteAndFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := newFakeStore()
		var mu sync.Mutex
		mode := map[string]string{} // connector -> reply mode
		d := newFakeDispatcher(func(inv wire.Invocation) (wire.Result, error) {
			mu.Lock()
			m := mode[inv.Connector]
			mu.Unlock()
			switch m {
			case "fail":
				return wire.Result{State: wire.StateFailed, Trace: "bad record", InstanceID: "w9"}, nil
			case "down":
				return wire.Result{}, connectors.Retriable(errNoWorker)
			}
			return wire.Result{State: wire.StateRunning, More: true, InstanceID: "w1"}, nil
		})
		s := newTestScheduler(t, store, d)
		h := s.Handler()
		mode["f"], mode["down"] = "fail", "down"
		for _, n := range []string{"p", "del", "f", "down"} {
			call(t, h, "POST", "/connectors", `{"name":"`+n+`","config":{"connector.class":"TestSource","tables":"t"}}`)
		}
		startLoop(t, s)
		eventually(t, "work on every connector", func() bool {
			return d.count(taskKey{"p", 0}) > 5 && d.count(taskKey{"del", 0}) > 5 && d.count(taskKey{"f", 0}) == 1 && d.count(taskKey{"down", 0}) >= 1
		})

		// FAILED: not re-dispatched until restarted.
		if st, _ := store.status("f", 0); st.State != state.StateFailed || st.Trace != "bad record" || st.WorkerID != "w9" {
			t.Errorf("status f-0 = %+v", st)
		}
		// Retriable dispatch error: FAILED with the retry note.
		if st, _ := store.status("down", 0); st.State != state.StateFailed ||
			!strings.HasPrefix(st.Trace, errNoWorker.Error()+"\nferry retries automatically (attempt 1, next in ") {
			t.Errorf("status down-0 = %+v", st)
		}

		call(t, h, "PUT", "/connectors/p/pause", "")
		call(t, h, "DELETE", "/connectors/del", "")
		time.Sleep(50 * time.Millisecond) // fake time: in-flight invocations return
		np, nd := d.count(taskKey{"p", 0}), d.count(taskKey{"del", 0})
		time.Sleep(100 * time.Millisecond)
		if d.count(taskKey{"p", 0}) != np || d.count(taskKey{"del", 0}) != nd {
			t.Errorf("paused or deleted connector still dispatched: %d→%d, %d→%d", np, d.count(taskKey{"p", 0}), nd, d.count(taskKey{"del", 0}))
		}
		if _, ok := store.status("del", 0); ok {
			t.Error("status written for a deleted connector")
		}
		if d.count(taskKey{"f", 0}) != 1 {
			t.Errorf("FAILED task re-dispatched %d times", d.count(taskKey{"f", 0}))
		}

		mu.Lock()
		mode["f"] = ""
		mu.Unlock()
		call(t, h, "POST", "/connectors/f/tasks/0/restart", "")
		call(t, h, "PUT", "/connectors/p/resume", "")
		eventually(t, "restarted and resumed tasks to run", func() bool {
			st, _ := store.status("f", 0)
			return st.State == state.StateRunning && d.count(taskKey{"p", 0}) > np
		})
	})
}

func TestLoopKeepsRunningWhenStoreFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flakyEpochs{fakeStore: newFakeStore(), fail: true}
		d := newFakeDispatcher(func(inv wire.Invocation) (wire.Result, error) {
			return wire.Result{State: wire.StateRunning, InstanceID: "w"}, nil
		})
		s := newTestScheduler(t, store.fakeStore, d)
		s.o.Store = store
		call(t, s.Handler(), "POST", "/connectors", `{"name":"a","config":{"connector.class":"TestSource","tables":"t"}}`)
		startLoop(t, s)
		eventually(t, "a FAILED status naming the store", func() bool {
			st, _ := store.status("a", 0)
			return st.State == state.StateFailed && strings.Contains(st.Trace, "taking a new epoch for task a-0 from the state store: state store unavailable (retriable): redis down")
		})
		store.setFail(false)
		eventually(t, "recovery", func() bool { st, _ := store.status("a", 0); return st.State == state.StateRunning })
	})
}

// flakyEpochs is a fakeStore whose NextEpoch fails while fail is set.
type flakyEpochs struct {
	*fakeStore
	fmu  sync.Mutex
	fail bool
}

func (f *flakyEpochs) setFail(v bool) { f.fmu.Lock(); f.fail = v; f.fmu.Unlock() }

func (f *flakyEpochs) NextEpoch(ctx context.Context, c string, t int) (int64, error) {
	f.fmu.Lock()
	fail := f.fail
	f.fmu.Unlock()
	if fail {
		return 0, state.Retriable(errors.New("redis down"))
	}
	return f.fakeStore.NextEpoch(ctx, c, t)
}

func TestLoopNewTaskConfigsRestartFailedTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := newFakeStore()
		d := newFakeDispatcher(func(inv wire.Invocation) (wire.Result, error) {
			if inv.Config["tables"] == "bad" {
				return wire.Result{State: wire.StateFailed, Trace: "no table bad", InstanceID: "w"}, nil
			}
			return wire.Result{State: wire.StateRunning, InstanceID: "w"}, nil
		})
		s := newTestScheduler(t, store, d)
		h := s.Handler()
		call(t, h, "POST", "/connectors", `{"name":"a","config":{"connector.class":"TestSource","tables":"bad"}}`)
		startLoop(t, s)
		eventually(t, "FAILED", func() bool { st, _ := store.status("a", 0); return st.State == state.StateFailed })
		if code, body, _ := call(t, h, "PUT", "/connectors/a/config", `{"connector.class":"TestSource","tables":"good"}`); code != 200 {
			t.Fatalf("PUT: %d %s", code, body)
		}
		eventually(t, "RUNNING after the fix", func() bool { st, _ := store.status("a", 0); return st.State == state.StateRunning })
	})
}

// TestLoopCarriesRetryWindow: a RETRYING result with an open
// errors.retry.timeout window sends that window with the next invocation,
// and a success closes it.
func TestLoopCarriesRetryWindow(t *testing.T) {
	since := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	got := make(chan wire.Invocation, 100)
	d := newFakeDispatcher(func(inv wire.Invocation) (wire.Result, error) {
		got <- inv
		if inv.Epoch == 1 {
			return wire.Result{State: wire.StateRetrying, Trace: "registry down", InstanceID: "w", RetryingSince: since}, nil
		}
		return wire.Result{State: wire.StateRunning, More: inv.Epoch == 2, InstanceID: "w"}, nil
	})
	s := newTestScheduler(t, newFakeStore(), d)
	call(t, s.Handler(), "POST", "/connectors", `{"name":"a","config":{"connector.class":"TestSource","tables":"t1"}}`)
	startLoop(t, s)
	for epoch, want := range []time.Time{{}, since, {}} {
		inv := <-got
		if inv.Epoch != int64(epoch+1) || !inv.RetryingSince.Equal(want) {
			t.Errorf("invocation %d carries retrying since %v; want %v", inv.Epoch, inv.RetryingSince, want)
		}
	}
}

// TestLoopShrinksBatchWhenOverran: invocations that overran their deadline
// get smaller batches until one fits, then the batch grows back.
func TestLoopShrinksBatchWhenOverran(t *testing.T) {
	got := make(chan wire.Invocation, 100)
	d := newFakeDispatcher(func(inv wire.Invocation) (wire.Result, error) {
		got <- inv
		if inv.MaxRecords > 25000 { // a starved machine: more does not fit
			return wire.Result{State: wire.StateFenced, Overran: true, Read: int64(inv.MaxRecords), InstanceID: "w"}, nil
		}
		return wire.Result{State: wire.StateRunning, More: true, InstanceID: "w"}, nil
	})
	s := newTestScheduler(t, newFakeStore(), d)
	call(t, s.Handler(), "POST", "/connectors", `{"name":"a","config":{"connector.class":"TestSource","tables":"t1"}}`)
	startLoop(t, s)
	var sizes []int
	for range 5 {
		sizes = append(sizes, (<-got).MaxRecords)
	}
	if want := []int{100000, 50000, 25000, 50000, 25000}; fmt.Sprint(sizes) != fmt.Sprint(want) {
		t.Errorf("batch limits %v, want %v", sizes, want)
	}
}
