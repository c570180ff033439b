package scheduler

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func spec(conn string, task int) taskSpec {
	return taskSpec{Key: taskKey{conn, task}, Class: "c", PollInterval: time.Second}
}

func TestPlan(t *testing.T) {
	a0, a1, b0 := taskKey{"a", 0}, taskKey{"a", 1}, taskKey{"b", 0}
	tests := []struct {
		name     string
		desired  []taskSpec
		runs     map[taskKey]taskRun
		dispatch []taskKey
		forget   []taskKey
		wake     time.Time
	}{
		{name: "new tasks are dispatched", desired: []taskSpec{spec("a", 1), spec("a", 0)},
			dispatch: []taskKey{a0, a1}},
		{name: "in-flight task is never doubled", desired: []taskSpec{spec("a", 0)},
			runs: map[taskKey]taskRun{a0: {InFlight: true}}},
		{name: "more: due now is dispatched", desired: []taskSpec{spec("a", 0)},
			runs: map[taskKey]taskRun{a0: {NextDue: t0}}, dispatch: []taskKey{a0}},
		{name: "poll interval respected: wake at next due", desired: []taskSpec{spec("a", 0), spec("b", 0)},
			runs: map[taskKey]taskRun{a0: {NextDue: t0.Add(time.Second)}, b0: {NextDue: t0.Add(300 * time.Millisecond)}},
			wake: t0.Add(300 * time.Millisecond)},
		{name: "failed for good is not redispatched", desired: []taskSpec{spec("a", 0)},
			runs: map[taskKey]taskRun{a0: {Failed: true}}},
		{name: "restart clears failure", desired: []taskSpec{spec("a", 0)},
			runs: map[taskKey]taskRun{a0: restarted(taskRun{Failed: true, Failures: 3})}, dispatch: []taskKey{a0}},
		{name: "undesired idle run is forgotten, in-flight kept", desired: nil,
			runs: map[taskKey]taskRun{a0: {}, a1: {InFlight: true}}, forget: []taskKey{a0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, wake := plan(t0, tt.desired, tt.runs)
			var dispatch, forget []taskKey
			for _, d := range ds {
				if d.Kind == decideDispatch {
					dispatch = append(dispatch, d.Key)
				} else {
					forget = append(forget, d.Key)
				}
			}
			if !equalKeys(dispatch, tt.dispatch) || !equalKeys(forget, tt.forget) {
				t.Errorf("dispatch %v forget %v; want %v %v", dispatch, forget, tt.dispatch, tt.forget)
			}
			if !wake.Equal(tt.wake) {
				t.Errorf("wake %v; want %v", wake, tt.wake)
			}
		})
	}
}

func equalKeys(a, b []taskKey) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSettle(t *testing.T) {
	k := taskKey{"a", 0}
	ok := func(more bool) outcome {
		return outcome{Key: k, Epoch: 7, Result: wire.Result{State: wire.StateRunning, More: more, InstanceID: "w1"}}
	}
	tests := []struct {
		name     string
		run      taskRun
		out      outcome
		jitter   float64
		due      time.Duration
		state    state.State
		worker   string
		trace    string // substring
		write    bool
		failed   bool
		failures int
		noTrace  bool
		since    time.Time // RetryingSince carried to the next invocation
	}{
		{name: "more: re-dispatch at once", out: ok(true), due: 0, state: state.StateRunning, worker: "w1", write: true, noTrace: true},
		{name: "no more: after poll interval", out: ok(false), due: 2 * time.Second, state: state.StateRunning, worker: "w1", write: true, noTrace: true},
		{name: "success clears failures", run: taskRun{Failures: 4}, out: ok(false), due: 2 * time.Second, state: state.StateRunning, worker: "w1", write: true},
		{name: "same status not rewritten", run: taskRun{Reported: state.TaskStatus{State: state.StateRunning, WorkerID: "w1"}},
			out: ok(false), due: 2 * time.Second, state: state.StateRunning, worker: "w1"},
		{name: "dispatch error backs off", out: outcome{Key: k, Err: errors.New("no ferry worker")}, due: 500 * time.Millisecond,
			state: state.StateFailed, worker: "sched:8083", trace: "no ferry worker\nferry retries automatically (attempt 1, next in 500ms)", write: true, failures: 1},
		{name: "retrying result backs off", run: taskRun{Failures: 2}, out: outcome{Key: k, Result: wire.Result{State: wire.StateRetrying, Trace: "kafka down", InstanceID: "w2"}},
			due: 2 * time.Second, state: state.StateFailed, worker: "w2", trace: "kafka down\nferry retries automatically (attempt 3, next in 2s)", write: true, failures: 3},
		{name: "retry window carried to the next invocation", out: outcome{Key: k, Result: wire.Result{State: wire.StateRetrying,
			Trace: "registry down", InstanceID: "w2", RetryingSince: t0.Add(-time.Minute)}},
			due: 500 * time.Millisecond, state: state.StateFailed, worker: "w2", trace: "registry down", write: true, failures: 1, since: t0.Add(-time.Minute)},
		{name: "success closes the retry window", run: taskRun{Failures: 1, RetryingSince: t0.Add(-time.Minute)}, out: ok(false),
			due: 2 * time.Second, state: state.StateRunning, worker: "w1", write: true},
		{name: "backoff caps at 30s", run: taskRun{Failures: 40}, out: outcome{Key: k, Err: errors.New("x")}, due: 30 * time.Second,
			state: state.StateFailed, worker: "sched:8083", trace: "(attempt 41, next in 30s)", write: true, failures: 41},
		{name: "jitter shortens the wait by up to 20%", run: taskRun{Failures: 1}, out: outcome{Key: k, Err: errors.New("x")}, jitter: 0.5,
			due: 900 * time.Millisecond, state: state.StateFailed, worker: "sched:8083", trace: "next in 900ms", write: true, failures: 2},
		{name: "FAILED stops until restart", out: outcome{Key: k, Result: wire.Result{State: wire.StateFailed, Trace: "boom", InstanceID: "w1"}},
			state: state.StateFailed, worker: "w1", trace: "boom", write: true, failed: true},
		{name: "FENCED is reported in the trace and redone at once", run: taskRun{Reported: state.TaskStatus{State: state.StateRunning, WorkerID: "w1"}},
			out:   outcome{Key: k, Result: wire.Result{State: wire.StateFenced, Trace: "epoch 3 is not the current epoch 4", InstanceID: "w1"}},
			state: state.StateRunning, worker: "w1", trace: "fenced: the last invocation", write: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run.InFlight = true
			next, st, write := settle(t0, tt.run, tt.out, taskSpec{PollInterval: 2 * time.Second}, "sched:8083", tt.jitter)
			if next.InFlight {
				t.Error("still in flight")
			}
			if write != tt.write {
				t.Errorf("write = %v", write)
			}
			if st.State != tt.state || st.WorkerID != tt.worker || !strings.Contains(st.Trace, tt.trace) || st.Epoch != tt.out.Epoch {
				t.Errorf("status %+v", st)
			}
			if tt.noTrace && st.Trace != "" {
				t.Errorf("trace %q not cleared", st.Trace)
			}
			if !tt.failed && next.NextDue.Sub(t0) != tt.due {
				t.Errorf("next due in %v; want %v", next.NextDue.Sub(t0), tt.due)
			}
			if !next.RetryingSince.Equal(tt.since) {
				t.Errorf("retrying since %v; want %v", next.RetryingSince, tt.since)
			}
			if next.Failed != tt.failed || next.Failures != tt.failures {
				t.Errorf("failed %v failures %d", next.Failed, next.Failures)
			}
		})
	}
}

func TestBackoffGrowsAndCaps(t *testing.T) {
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, w := range want {
		if got := backoff(i+1, 0); got != w {
			t.Errorf("backoff(%d) = %v; want %v", i+1, got, w)
		}
		if got := backoff(i+1, 0.5); got != w-w/10 {
			t.Errorf("backoff(%d, 0.5) = %v; want %v", i+1, got, w-w/10)
		}
	}
	if got := backoff(1000, 0); got != backoffMax {
		t.Errorf("backoff(1000) = %v", got)
	}
}

func TestDesiredTasksSkipsPausedStoppedAndUnsplit(t *testing.T) {
	s := newTestScheduler(t, newFakeStore(), nil)
	task := map[string]string{"connector.class": "TestSource", "poll.interval.ms": "250"}
	recs := []state.ConnectorRecord{
		{Name: "run", Config: task, Target: state.TargetRunning, Tasks: []map[string]string{task, task}, Generation: 1},
		{Name: "paused", Config: task, Target: state.TargetPaused, Tasks: []map[string]string{task}, Generation: 1},
		{Name: "stopped", Config: task, Target: state.TargetStopped, Generation: 1},
		{Name: "unsplit", Config: task, Target: state.TargetRunning},
	}
	got := s.desiredTasks(recs)
	if len(got) != 2 || got[0].Key != (taskKey{"run", 0}) || got[1].Key != (taskKey{"run", 1}) {
		t.Fatalf("desired = %+v", got)
	}
	if got[0].Class != testSourceClass || got[0].PollInterval != 250*time.Millisecond || got[0].TaskCount != 2 {
		t.Errorf("spec = %+v", got[0])
	}
}

func TestAdaptBatch(t *testing.T) {
	over := func(read int64) outcome {
		return outcome{Result: wire.Result{State: wire.StateFenced, Overran: true, Read: read}}
	}
	ok := outcome{Result: wire.Result{State: wire.StateRunning}}
	for _, tc := range []struct {
		name  string
		batch int
		out   outcome
		want  int
		late  bool
	}{
		{"overran at the limit halves it", 0, over(0), 50000, false},
		{"overran on time halves what it read", 0, over(30000), 15000, false},
		{"shrinks again", 15000, over(15000), 7500, false},
		{"never below minBatch", 150, over(150), minBatch, false},
		{"in time doubles it back", 7500, ok, 15000, false},
		{"back at the limit", 60000, ok, 0, false},
		{"at the limit stays", 0, ok, 0, false},
		{"a retriable failure keeps it", 7500, outcome{Result: wire.Result{State: wire.StateRetrying}}, 7500, false},
		{"no reply by the deadline halves it", 0, outcome{Err: errors.New("no reply")}, 50000, true},
	} {
		if got := adaptBatch(tc.batch, tc.out, 100000, tc.late); got != tc.want {
			t.Errorf("%s: adaptBatch(%d) = %d, want %d", tc.name, tc.batch, got, tc.want)
		}
	}
}

// TestConnSpecsTakeTheNewestMaps: specs reused across a refresh (same
// generation, equal task configs) point at the newly read record's task
// config maps, so the loop does not keep an older copy of every config
// alive besides the one its records come from.
func TestConnSpecsTakeTheNewestMaps(t *testing.T) {
	s := newTestScheduler(t, newFakeStore(), nil)
	rec := func() state.ConnectorRecord {
		return state.ConnectorRecord{Name: "c", Config: map[string]string{"connector.class": testSourceClass},
			Target: state.TargetRunning, Generation: 2,
			Tasks: []map[string]string{{"connector.class": testSourceClass, "tables": "a"}, {"connector.class": testSourceClass, "tables": "b"}}}
	}
	first, second := rec(), rec()
	old := s.connSpecs(first, connSpecs{})
	got := s.connSpecs(second, old)
	if len(got.specs) != 2 {
		t.Fatalf("got %d specs, want 2", len(got.specs))
	}
	for i, spec := range got.specs {
		if reflect.ValueOf(spec.Config).UnsafePointer() != reflect.ValueOf(second.Tasks[i]).UnsafePointer() {
			t.Errorf("spec %d keeps the task config map of the older record", i)
		}
	}
	if reflect.ValueOf(got.tasks).UnsafePointer() != reflect.ValueOf(second.Tasks).UnsafePointer() {
		t.Error("the reused specs keep the older record's task list")
	}
}
