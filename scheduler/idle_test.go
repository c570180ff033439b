package scheduler

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
)

// TestIdleTaskBacksOffAndLeasesItsEpoch runs an idle source for ten virtual
// minutes: the wait between invocations doubles from poll.interval.ms to
// poll.idle.max.ms, the epoch is taken from the store only until the waits
// outgrow the invocation deadline (then leased again, so nothing is written
// per idle poll), every invocation id is unique, and records flowing bring
// the poll interval back at once.
func TestIdleTaskBacksOffAndLeasesItsEpoch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := newFakeStore()
		var mu sync.Mutex
		var at []time.Time
		records := false
		d := newFakeDispatcher(func(inv wire.Invocation) (wire.Result, error) {
			mu.Lock()
			defer mu.Unlock()
			at = append(at, time.Now())
			res := wire.Result{State: wire.StateRunning, InstanceID: "w"}
			if records {
				res.Read, res.Written = 5, 5
			}
			return res, nil
		})
		s := newTestScheduler(t, store, d)
		s.o.InvocationTimeout = 2 * time.Second
		call(t, s.Handler(), "POST", "/connectors",
			`{"name":"a","config":{"connector.class":"TestSource","tables":"t","poll.interval.ms":"1000","poll.idle.max.ms":"60000"}}`)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		time.Sleep(10 * time.Minute)
		synctest.Wait()

		mu.Lock()
		gaps := make([]time.Duration, 0, len(at))
		for i := 1; i < len(at); i++ {
			gaps = append(gaps, at[i].Sub(at[i-1]).Round(time.Second))
		}
		records = true
		mu.Unlock()
		want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60}
		for i, w := range want {
			if i >= len(gaps) || gaps[i] != w*time.Second {
				t.Fatalf("waits between idle invocations = %v; want %v then 60s", gaps, want)
			}
		}
		k := taskKey{"a", 0}
		d.mu.Lock()
		epochs := append([]int64(nil), d.epochs[k]...)
		dup := d.dupIDs
		d.mu.Unlock()
		// Waits of 1s, 2s and 4s are shorter than the 2s deadline plus the
		// 5s margin: the first four invocations take epochs 1-4; from the
		// fifth on (8s after the fourth) epoch 4 is leased again.
		store.mu.Lock()
		stored := store.epochs[k]
		store.mu.Unlock()
		if epochs[len(epochs)-1] != 4 || stored != 4 {
			t.Errorf("epochs sent %v, store at %d; want 1, 2, 3, 4, then 4 leased again", epochs, stored)
		}
		if dup != 0 {
			t.Errorf("%d duplicate invocation ids", dup)
		}

		// Records flow: the next invocation (at most 60s away) resets the wait to 1s.
		time.Sleep(70 * time.Second)
		synctest.Wait()
		mu.Lock()
		n := len(at)
		last := at[n-1].Sub(at[n-2]).Round(time.Second)
		mu.Unlock()
		if last != time.Second {
			t.Errorf("wait after records flowed = %v; want poll.interval.ms (1s)", last)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestReusable pins when an epoch may be leased again.
func TestReusable(t *testing.T) {
	deadline := t0.Add(10 * time.Second)
	tests := []struct {
		name string
		run  taskRun
		now  time.Time
		want bool
	}{
		{"clean, past deadline and margin", taskRun{Clean: true, Epoch: 3, Deadline: deadline}, deadline.Add(epochReuseMargin), true},
		{"clean, within the margin", taskRun{Clean: true, Epoch: 3, Deadline: deadline}, deadline.Add(epochReuseMargin - time.Millisecond), false},
		{"not clean (error, fenced, failed)", taskRun{Epoch: 3, Deadline: deadline}, deadline.Add(time.Hour), false},
		{"no epoch yet", taskRun{Clean: true, Deadline: deadline}, deadline.Add(time.Hour), false},
		{"restarted", restarted(taskRun{Clean: true, Epoch: 3, Deadline: deadline}), deadline.Add(time.Hour), false},
	}
	for _, tt := range tests {
		if got := reusable(tt.run, tt.now); got != tt.want {
			t.Errorf("%s: reusable = %v; want %v", tt.name, got, tt.want)
		}
	}
}

// TestIdleWait pins the idle backoff: poll interval, doubling, capped, and
// a cap at or below the poll interval polls at the fixed interval.
func TestIdleWait(t *testing.T) {
	s, m := time.Second, time.Minute
	tests := []struct {
		poll, max time.Duration
		idle      int
		want      time.Duration
	}{
		{s, m, 0, s}, {s, m, 1, s}, {s, m, 2, 2 * s}, {s, m, 3, 4 * s}, {s, m, 7, m}, {s, m, 1000, m},
		{5 * s, s, 9, 5 * s}, {s, s, 9, s}, {0, m, 9, 0},
	}
	for _, tt := range tests {
		if got := idleWait(tt.poll, tt.max, tt.idle); got != tt.want {
			t.Errorf("idleWait(%v, %v, %d) = %v; want %v", tt.poll, tt.max, tt.idle, got, tt.want)
		}
	}
}
