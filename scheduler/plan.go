package scheduler

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state"
)

// The dispatch loop's decisions are pure functions of time, the desired tasks
// and the loop's view of each task (plan and settle); the loop only carries
// them out. That keeps every rule testable without NATS or a store.

// Backoff after failed dispatches: 0.5s, 1s, 2s, ... capped at 30s.
const (
	backoffBase = 500 * time.Millisecond
	backoffMax  = 30 * time.Second
)

// retryNote marks a FAILED trace the loop will retry on its own.
const retryNote = "ferry retries automatically"

// taskKey names one task.
type taskKey struct {
	Connector string
	Task      int
}

func (k taskKey) String() string { return fmt.Sprintf("%s-%d", k.Connector, k.Task) }

// taskSpec is a task that should run: its connector's target is RUNNING.
type taskSpec struct {
	Key          taskKey
	Class        string
	Config       map[string]string
	TaskCount    int
	PollInterval time.Duration
	// Kind is the plugin type (source or sink), for the metrics.
	Kind string
	// RetryingSince is the open errors.retry.timeout window of the task's
	// last result, sent with the next invocation.
	RetryingSince time.Time
}

// taskRun is the loop's in-memory view of one task.
type taskRun struct {
	InFlight bool
	NextDue  time.Time // zero: due now
	Failures int       // consecutive retriable failures
	Failed   bool      // failed for good: wait for a restart
	// Reported is the last status written, so unchanged statuses are not rewritten.
	Reported state.TaskStatus
	// RetryingSince is when a retriable failure began whose
	// errors.retry.timeout window is still open (wire.Result.RetryingSince).
	RetryingSince time.Time
}

// decision is one action for the loop.
type decision struct {
	Kind decisionKind
	Key  taskKey
	Spec taskSpec // for dispatch
}

type decisionKind int

const (
	decideDispatch decisionKind = iota // send an invocation for Spec
	decideForget                       // drop the run of a task no longer desired
)

// plan returns what to do now and when to look again (zero: no timer
// needed). A task is dispatched iff it is desired, has no invocation in
// flight, has not failed for good and is due. Runs of tasks no longer
// desired are forgotten once nothing is in flight for them.
func plan(now time.Time, desired []taskSpec, runs map[taskKey]taskRun) ([]decision, time.Time) {
	var out []decision
	var wake time.Time
	want := make(map[taskKey]bool, len(desired))
	for _, spec := range desired {
		want[spec.Key] = true
		r := runs[spec.Key]
		switch {
		case r.InFlight || r.Failed:
		case !r.NextDue.After(now):
			out = append(out, decision{Kind: decideDispatch, Key: spec.Key, Spec: spec})
		case wake.IsZero() || r.NextDue.Before(wake):
			wake = r.NextDue
		}
	}
	for k, r := range runs {
		if !want[k] && !r.InFlight {
			out = append(out, decision{Kind: decideForget, Key: k})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return less(out[i].Key, out[j].Key) })
	return out, wake
}

func less(a, b taskKey) bool {
	if a.Connector != b.Connector {
		return a.Connector < b.Connector
	}
	return a.Task < b.Task
}

// outcome is how one dispatch ended.
type outcome struct {
	Key    taskKey
	Epoch  int64
	Result wire.Result
	Err    error
}

// settle applies an outcome to a run: when the task is due again and what
// status to show. jitter in [0,1) shortens a backoff by up to 20%, so tasks
// failing together do not retry in lockstep. write is false when the status
// (state, worker, trace) is the one already reported. A FENCED result keeps
// the task RUNNING and says in the trace that the invocation was fenced and
// its uncommitted work will be redone; the task is due again at once.
func settle(now time.Time, r taskRun, o outcome, poll time.Duration, workerID string, jitter float64) (next taskRun, status state.TaskStatus, write bool) {
	r.InFlight = false
	status = state.TaskStatus{Connector: o.Key.Connector, Task: o.Key.Task, Epoch: o.Epoch, Updated: now, WorkerID: o.Result.InstanceID}
	if status.WorkerID == "" {
		status.WorkerID = workerID
	}
	switch {
	case o.Err != nil || o.Result.State == wire.StateRetrying:
		cause := o.Result.Trace
		if o.Err != nil {
			cause, status.WorkerID = o.Err.Error(), workerID
		}
		r.Failures++
		r.RetryingSince = o.Result.RetryingSince
		wait := backoff(r.Failures, jitter)
		r.NextDue = now.Add(wait)
		status.State = state.StateFailed
		status.Trace = fmt.Sprintf("%s\n%s (attempt %d, next in %s)", cause, retryNote, r.Failures, roundWait(wait))
	case o.Result.State == wire.StateFenced:
		r.NextDue = now
		status.State = state.StateRunning
		status.Trace = fenceNote + o.Result.Trace
	case o.Result.State == wire.StateFailed:
		r.Failed, r.Failures, r.RetryingSince = true, 0, time.Time{}
		status.State, status.Trace = state.StateFailed, o.Result.Trace
	default:
		r.Failures, r.RetryingSince = 0, time.Time{}
		r.NextDue = now.Add(poll)
		if o.Result.More {
			r.NextDue = now
		}
		status.State = state.StateRunning
	}
	write = !sameStatus(r.Reported, status)
	if write {
		r.Reported = status
	}
	return r, status, write
}

// fenceNote starts the trace of a task whose last invocation was fenced.
const fenceNote = "fenced: the last invocation lost its epoch or deadline and committed nothing; its work is redone by the next invocation\n"

func sameStatus(a, b state.TaskStatus) bool {
	return a.State == b.State && a.WorkerID == b.WorkerID && a.Trace == b.Trace
}

// backoff is the wait after n consecutive failures: 0.5s·2^(n-1), capped at
// 30s, less up to 20% jitter.
func backoff(n int, jitter float64) time.Duration {
	d := backoffMax
	if n < 16 {
		d = min(backoffMax, time.Duration(float64(backoffBase)*math.Pow(2, float64(n-1))))
	}
	return d - time.Duration(float64(d)*0.2*jitter)
}

// roundWait renders a wait for a trace: 0.5s, 2s, 28.3s.
func roundWait(d time.Duration) time.Duration {
	return d.Round(100 * time.Millisecond)
}

// restarted clears a run's failures so the task is dispatched at once (or as
// soon as its in-flight invocation returns), and forgets the reported status
// because the API just wrote RESTARTING.
func restarted(r taskRun) taskRun {
	return taskRun{InFlight: r.InFlight}
}
