package scheduler

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state"
)

// refreshEvery is how often the loop re-reads connectors from the store, to
// see changes made by other scheduler processes; a store that reports a
// revision is read in full only when the revision moved. Changes made
// through this process's API reach the loop at once as events, one
// connector at a time.
const refreshEvery = time.Second

// storeTimeout bounds the loop's own store calls.
const storeTimeout = 5 * time.Second

// runLoop dispatches invocations until ctx is done, then waits for the
// invocations in flight to return and returns nil.
// With own set, it dispatches only the connectors of the shards own holds.
func (s *Scheduler) runLoop(ctx context.Context, own *ownership) error {
	l := &loop{s: s, own: own, runs: map[taskKey]taskRun{}, results: make(chan outcome), known: map[string]bool{},
		specs: map[taskKey]taskSpec{}, conns: map[string]connSpecs{}, gens: map[string]int64{}}
	return l.run(ctx)
}

// loop is the dispatch loop's state; only its goroutine touches it.
type loop struct {
	s       *Scheduler
	own     *ownership // the shards this scheduler dispatches; nil: every connector
	runs    map[taskKey]taskRun
	deleted map[taskKey]bool // in flight when their connector was deleted
	// specs are the tasks that should run; conns are the same by connector,
	// kept while a connector's generation and task configs are unchanged.
	specs   map[taskKey]taskSpec
	conns   map[string]connSpecs
	known   map[string]bool  // connectors present at the last refresh
	gens    map[string]int64 // their generations
	fresh   time.Time        // time of the last refresh
	rev     int64            // the store's revision at the last full read
	haveRev bool
	dirty   bool // refresh in full before the next dispatch
	queue   dueQueue
	results chan outcome
	wg      sync.WaitGroup
}

func (l *loop) run(ctx context.Context) error {
	defer l.wg.Wait()
	l.dirty = true
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if l.own != nil && l.own.takeChanged() {
			l.dirty = true // shards moved: rebuild the desired tasks
		}
		l.applyEvents(ctx)
		now := l.s.o.Now()
		if l.dirty || now.Sub(l.fresh) >= refreshEvery {
			if l.refresh(ctx, now) {
				l.reconcile(ctx, now)
			}
			l.pickUpRestarts(ctx)
		}
		l.dispatchDue(ctx, now)
		wait := refreshEvery - now.Sub(l.fresh)
		if next := l.queue.next(); !next.IsZero() && next.Sub(now) < wait {
			wait = next.Sub(now)
		}
		timer.Reset(max(wait, 0))
		select {
		case <-ctx.Done():
			return nil
		case <-l.s.wake:
		case o := <-l.results:
			l.settle(ctx, o)
		case <-timer.C:
		}
	}
}

// reconcile carries out a full plan over every desired task (after a
// refresh changed them) and rebuilds the due queue from the runs.
func (l *loop) reconcile(ctx context.Context, now time.Time) {
	desired := make([]taskSpec, 0, len(l.specs))
	for _, spec := range l.specs {
		desired = append(desired, spec)
	}
	decisions, _ := plan(now, desired, l.runs)
	for _, d := range decisions {
		if d.Kind == decideForget {
			delete(l.runs, d.Key)
			continue
		}
		l.dispatch(ctx, d.Spec)
	}
	l.queue.reset()
	for _, spec := range desired {
		if r := l.runs[spec.Key]; !r.InFlight && !r.Failed {
			l.queue.push(r.NextDue, spec.Key)
		}
	}
}

// dispatchDue dispatches the queued tasks that are due, still desired, not
// in flight and not failed for good.
func (l *loop) dispatchDue(ctx context.Context, now time.Time) {
	for _, k := range l.queue.popDue(now) {
		spec, ok := l.specs[k]
		r := l.runs[k]
		if !ok || r.InFlight || r.Failed || r.NextDue.After(now) {
			continue // stale entry: the run was requeued, finished or forgotten
		}
		l.dispatch(ctx, spec)
	}
}

// applyEvents acts on the changes made through the API: restarts, deletes
// and changed connectors.
func (l *loop) applyEvents(ctx context.Context) {
	evs, changed := l.s.takeEvents()
	gone := map[string]bool{}
	for _, ev := range evs {
		switch ev.kind {
		case eventRestartTask:
			r := restarted(l.runs[ev.key])
			l.runs[ev.key] = r
			l.queue.push(r.NextDue, ev.key)
			l.s.metrics.TaskRestarted(ev.key.Connector, ev.key.Task)
		case eventDelete:
			gone[ev.key.Connector] = true
			delete(l.known, ev.key.Connector)
			l.dropSpecs(ev.key.Connector)
		}
	}
	if len(gone) > 0 {
		for k, r := range l.runs {
			if gone[k.Connector] {
				l.forgetRun(k, r)
			}
		}
	}
	for name := range changed {
		if !gone[name] {
			l.reload(ctx, name)
		}
	}
}

// restartTasks clears the failures of connectors whose task configs
// changed: as in Kafka Connect, new task configs restart the tasks.
func (l *loop) restartTasks(names map[string]bool) {
	if len(names) == 0 {
		return
	}
	for k, r := range l.runs {
		if names[k.Connector] {
			r = restarted(r)
			l.runs[k] = r
			l.queue.push(r.NextDue, k)
		}
	}
}

// forgetRun drops a run; one still in flight stays (so no second invocation
// starts) but its result will be discarded.
func (l *loop) forgetRun(k taskKey, r taskRun) {
	if !r.InFlight {
		delete(l.runs, k)
		return
	}
	if l.deleted == nil {
		l.deleted = map[taskKey]bool{}
	}
	l.deleted[k] = true
	l.runs[k] = taskRun{InFlight: true}
}

// dispatch marks the task in flight and invokes it in its own goroutine,
// under the epoch of its last invocation when that one may be leased again
// (reusable), else under a new epoch from the store.
func (l *loop) dispatch(ctx context.Context, spec taskSpec) {
	if !l.mine(spec.Key.Connector) {
		l.dirty = true // its shard's lease lapsed: drop it at the next refresh
		return
	}
	r := l.runs[spec.Key]
	var lease epochLease
	if reusable(r, l.s.o.Now()) {
		lease = epochLease{epoch: r.Epoch, uses: r.Reuses + 1}
	}
	r.InFlight = true
	l.runs[spec.Key] = r
	spec.RetryingSince = r.RetryingSince
	spec.MaxRecords = l.s.o.MaxRecords
	if r.Batch > 0 {
		spec.MaxRecords = r.Batch
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		start := time.Now()
		o := l.s.invoke(ctx, spec, lease)
		l.s.observe(spec, o, time.Since(start))
		select {
		case l.results <- o:
		case <-ctx.Done():
		}
	}()
}

// mine reports whether this scheduler dispatches connector now.
func (l *loop) mine(connector string) bool { return l.own == nil || l.own.owns(connector) }

// epochLease is an epoch an invocation runs under again (zero: take a new one).
type epochLease struct {
	epoch int64
	uses  int // invocations under it before this one
}

// invoke sends one invocation under the leased epoch, or a fresh one.
func (s *Scheduler) invoke(ctx context.Context, spec taskSpec, lease epochLease) outcome {
	o := outcome{Key: spec.Key, Epoch: lease.epoch, Reused: lease.epoch > 0}
	if !o.Reused {
		ectx, cancel := context.WithTimeout(ctx, storeTimeout)
		epoch, err := s.o.Store.NextEpoch(ectx, spec.Key.Connector, spec.Key.Task)
		cancel()
		if err != nil {
			o.Err = fmt.Errorf("taking a new epoch for task %s from the state store: %w", spec.Key, err)
			return o
		}
		o.Epoch = epoch
	}
	id := fmt.Sprintf("%s-%d", spec.Key, o.Epoch)
	if o.Reused {
		id = fmt.Sprintf("%s.%d", id, lease.uses)
	}
	o.Deadline = s.o.Now().Add(s.o.InvocationTimeout)
	inv := wire.Invocation{
		ID:         id,
		Connector:  spec.Key.Connector,
		Task:       spec.Key.Task,
		Epoch:      o.Epoch,
		Class:      spec.Class,
		Config:     spec.Config,
		Deadline:   o.Deadline,
		MaxRecords: spec.MaxRecords,
		TaskCount:  spec.TaskCount,
		// An open errors.retry.timeout window goes on across invocations.
		RetryingSince: spec.RetryingSince,
	}
	s.log.Debug("dispatching", "invocation", inv.ID)
	ctx, span := startDispatch(ctx, &inv)
	o.Result, o.Err = s.o.Dispatcher.Dispatch(ctx, inv)
	endDispatch(span, o)
	return o
}

// settle records an outcome: the run's next due time and, if it changed, the
// task status.
func (l *loop) settle(ctx context.Context, o outcome) {
	r, ok := l.runs[o.Key]
	if l.deleted[o.Key] || !ok || !l.known[o.Key.Connector] {
		delete(l.deleted, o.Key)
		delete(l.runs, o.Key)
		return
	}
	spec, ok := l.specs[o.Key]
	if !ok {
		spec.PollInterval = time.Second
	}
	l.s.recordTopics(o.Key.Connector, o.Result.Topics)
	next, st, write := settle(l.s.o.Now(), r, o, spec, l.s.o.WorkerID, l.s.rnd())
	late := o.Err != nil && !o.Deadline.IsZero() && l.s.o.Now().After(o.Deadline)
	if b := adaptBatch(r.Batch, o, l.s.o.MaxRecords, late); b != r.Batch {
		l.s.log.Info("task batch limit", "task", o.Key.String(), "max_records", cmp.Or(b, l.s.o.MaxRecords), "overran", o.Result.Overran)
		next.Batch = b
	}
	l.runs[o.Key] = next
	if !next.Failed {
		l.queue.push(next.NextDue, o.Key)
	}
	if !write {
		return
	}
	if st.State == state.StateFailed {
		l.s.log.Warn("task failed", "task", o.Key.String(), "epoch", o.Epoch, "trace", st.Trace)
	} else {
		l.s.log.Info("task state", "task", o.Key.String(), "state", st.State, "worker_id", st.WorkerID)
	}
	cctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if err := l.s.o.Store.PutTaskStatus(cctx, st); err != nil {
		l.s.log.Warn("storing task status failed", "task", o.Key.String(), "err", err)
		next.Reported = state.TaskStatus{} // write again next time
		l.runs[o.Key] = next
	}
}

// dueQueue orders tasks by the time they are due, so the loop finds the next
// task to dispatch without scanning every task after each result. Entries are
// hints: the run itself (taskRun.NextDue, InFlight, Failed) decides, so an
// entry made stale by a later change is dropped when popped.
type dueQueue struct{ items dueItems }

type dueItem struct {
	at  time.Time
	key taskKey
}

type dueItems []dueItem

func (q dueItems) Len() int           { return len(q) }
func (q dueItems) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q dueItems) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *dueItems) Push(x any)        { *q = append(*q, x.(dueItem)) }
func (q *dueItems) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// push adds key, due at at.
func (q *dueQueue) push(at time.Time, key taskKey) { heap.Push(&q.items, dueItem{at: at, key: key}) }

// next is the earliest due time (zero when empty).
func (q *dueQueue) next() time.Time {
	if len(q.items) == 0 {
		return time.Time{}
	}
	return q.items[0].at
}

// popDue removes and returns the keys due at or before now.
func (q *dueQueue) popDue(now time.Time) []taskKey {
	var out []taskKey
	for len(q.items) > 0 && !q.items[0].at.After(now) {
		out = append(out, heap.Pop(&q.items).(dueItem).key)
	}
	return out
}

// reset empties the queue.
func (q *dueQueue) reset() { q.items = q.items[:0] }
