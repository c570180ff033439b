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
	// IdleMax is the longest wait between invocations while the task keeps
	// finding nothing to do (poll.idle.max.ms, at least PollInterval).
	IdleMax time.Duration
	// Kind is the plugin type (source or sink), for the metrics.
	Kind string
	// RetryingSince is the open errors.retry.timeout window of the task's
	// last result, sent with the next invocation.
	RetryingSince time.Time
	// MaxRecords is the batch limit of the next invocation (adaptBatch).
	MaxRecords int
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
	// Batch is the task's batch limit while it is below the configured one
	// (adaptBatch); 0 means the configured limit.
	Batch int
	// Idle counts consecutive invocations that found nothing to do.
	Idle int
	// Epoch and Deadline are those of the last invocation; Clean says it
	// returned a RUNNING result, so its epoch may be leased again (reusable).
	Epoch    int64
	Deadline time.Time
	Clean    bool
	// Reuses counts invocations sent under Epoch after the first, for their ids.
	Reuses int
}

// epochReuseMargin is how long after an invocation's deadline its epoch may
// be handed to the next invocation of the task: functions refuse to commit
// after the deadline, and the margin covers clock skew between hosts.
const epochReuseMargin = 5 * time.Second

// reusable reports whether the next invocation may run under the epoch of
// the last one instead of taking a new epoch from the store: the last one
// returned a RUNNING result (it ended; it is no zombie) and its deadline,
// past which no function commits, has passed by epochReuseMargin, so even a
// duplicate delivery of it can no longer commit. An idle task polled less
// often than its invocation timeout thus writes nothing to the store; any
// other ending (error, fenced, failed, restart, new task configs, another
// scheduler taking over) takes a new epoch, which fences every older one.
func reusable(r taskRun, now time.Time) bool {
	return r.Clean && r.Epoch > 0 && !now.Before(r.Deadline.Add(epochReuseMargin))
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
	Reused bool // Epoch was leased again, not taken from the store
	// Deadline is the invocation's deadline (zero when none was sent).
	Deadline time.Time
	Result   wire.Result
	Err      error
}

// settle applies an outcome to a run: when the task is due again and what
// status to show. jitter in [0,1) shortens a backoff by up to 20%, so tasks
// failing together do not retry in lockstep. write is false when the status
// (state, worker, trace) is the one already reported. A FENCED result keeps
// the task RUNNING and says in the trace that the invocation was fenced and
// its uncommitted work will be redone; the task is due again at once.
func settle(now time.Time, r taskRun, o outcome, spec taskSpec, workerID string, jitter float64) (next taskRun, status state.TaskStatus, write bool) {
	r.InFlight = false
	r.Clean = false
	if o.Epoch > 0 {
		if r.Epoch == o.Epoch {
			r.Reuses++
		} else {
			r.Reuses = 0
		}
		r.Epoch, r.Deadline = o.Epoch, o.Deadline
	}
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
		r.Failures, r.RetryingSince, r.Clean = 0, time.Time{}, true
		r.Idle = idleCount(r.Idle, o.Result)
		r.NextDue = now.Add(idleWait(spec.PollInterval, spec.IdleMax, r.Idle))
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

// idleCount is the count of consecutive idle invocations after res: an
// invocation that read or wrote records, or left a sink lag behind, resets it.
func idleCount(n int, res wire.Result) int {
	if res.Read > 0 || res.Written > 0 || res.Lag > 0 || res.More {
		return 0
	}
	return n + 1
}

// idleWait is the wait before the next invocation of a task after idle
// consecutive idle invocations: poll.interval.ms while records flow (and
// after the first idle one), then doubling up to poll.idle.max.ms (never
// below the poll interval).
func idleWait(poll, idleMax time.Duration, idle int) time.Duration {
	if idle <= 1 || idleMax <= poll {
		return poll
	}
	d := poll
	for i := 1; i < idle && d < idleMax; i++ {
		d *= 2
	}
	return min(d, idleMax)
}

// minBatch is the smallest batch adaptBatch shrinks a task to.
const minBatch = 100

// adaptBatch sizes a task's next batch to the time an invocation has: an
// invocation that overran its deadline before committing halves the task's
// batch limit, or what it read when that was less (down to minBatch), so a starved machine commits smaller
// batches instead of redoing the same one forever; each invocation that
// finishes in time doubles it back towards the configured limit.
//
// late says the dispatch failed with no reply by the invocation's deadline
// (a worker too starved to answer in time): that counts as overran too.
func adaptBatch(batch int, o outcome, limit int, late bool) int {
	cur := batch
	if cur <= 0 || cur > limit {
		cur = limit
	}
	switch {
	case o.Result.Overran || late:
		if r := int(o.Result.Read); r > 0 && r < cur {
			cur = r // the invocation stopped on time, not on its limit
		}
		return min(limit, max(minBatch, cur/2))
	case o.Err == nil && o.Result.State == wire.StateRunning && batch > 0:
		if cur*2 >= limit {
			return 0
		}
		return cur * 2
	}
	return batch
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
