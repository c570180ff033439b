package scheduler

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state"
)

// refreshEvery is how often the loop re-reads connectors from the store, to
// see changes made by other scheduler processes. Changes made through this
// process's API wake the loop at once.
const refreshEvery = time.Second

// storeTimeout bounds the loop's own store calls.
const storeTimeout = 5 * time.Second

// runLoop dispatches invocations until ctx is done, then waits for the
// invocations in flight to return and returns nil.
func (s *Scheduler) runLoop(ctx context.Context) error {
	l := &loop{s: s, runs: map[taskKey]taskRun{}, results: make(chan outcome), known: map[string]bool{}}
	return l.run(ctx)
}

// loop is the dispatch loop's state; only its goroutine touches it.
type loop struct {
	s       *Scheduler
	runs    map[taskKey]taskRun
	deleted map[taskKey]bool // in flight when their connector was deleted
	desired []taskSpec
	polls   map[taskKey]time.Duration
	known   map[string]bool  // connectors present at the last refresh
	gens    map[string]int64 // their generations
	fresh   time.Time        // time of the last refresh
	dirty   bool             // refresh before the next plan
	results chan outcome
	wg      sync.WaitGroup
}

func (l *loop) run(ctx context.Context) error {
	defer l.wg.Wait()
	l.dirty = true
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		l.applyEvents()
		now := l.s.o.Now()
		if l.dirty || now.Sub(l.fresh) >= refreshEvery {
			l.refresh(ctx, now)
		}
		decisions, wake := plan(now, l.desired, l.runs)
		for _, d := range decisions {
			if d.Kind == decideForget {
				delete(l.runs, d.Key)
				continue
			}
			l.dispatch(ctx, d.Spec)
		}
		wait := refreshEvery - now.Sub(l.fresh)
		if !wake.IsZero() && wake.Sub(now) < wait {
			wait = wake.Sub(now)
		}
		timer.Reset(max(wait, 0))
		select {
		case <-ctx.Done():
			return nil
		case <-l.s.wake:
			l.dirty = true
		case o := <-l.results:
			l.settle(ctx, o)
		case <-timer.C:
		}
	}
}

// applyEvents acts on restarts and deletes made through the API.
func (l *loop) applyEvents() {
	for _, ev := range l.s.takeEvents() {
		l.dirty = true
		switch ev.kind {
		case eventRestartTask:
			l.runs[ev.key] = restarted(l.runs[ev.key])
			l.s.metrics.TaskRestarted(ev.key.Connector, ev.key.Task)
		case eventDelete:
			delete(l.known, ev.key.Connector)
			for k, r := range l.runs {
				if k.Connector == ev.key.Connector {
					l.forgetRun(k, r)
				}
			}
		}
	}
}

// restartConnectorTasks clears the failures of a connector whose task
// configs changed: as in Kafka Connect, new task configs restart the tasks.
func (l *loop) restartConnectorTasks(name string) {
	for k, r := range l.runs {
		if k.Connector == name {
			l.runs[k] = restarted(r)
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

// refresh re-reads connectors and rebuilds the desired tasks. On a store
// error it keeps the previous view: running tasks keep running.
func (l *loop) refresh(ctx context.Context, now time.Time) {
	l.fresh, l.dirty = now, false
	cctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	recs, err := l.s.o.Store.Connectors(cctx)
	if err != nil {
		if ctx.Err() == nil {
			l.s.log.Warn("reading connectors failed; keeping the previous view", "err", err)
		}
		return
	}
	l.known = map[string]bool{}
	gens := make(map[string]int64, len(recs))
	for _, rec := range recs {
		l.known[rec.Name] = true
		gens[rec.Name] = rec.Generation
		if old, ok := l.gens[rec.Name]; ok && old != rec.Generation {
			l.restartConnectorTasks(rec.Name)
		}
		if rec.Generation == 0 && rec.Target != state.TargetStopped {
			l.s.splitUnsplit(cctx, rec.Name) // its tasks are picked up at the next refresh
		}
	}
	l.gens = gens
	l.desired = l.s.desiredTasks(recs)
	l.polls = make(map[taskKey]time.Duration, len(l.desired))
	for _, spec := range l.desired {
		l.polls[spec.Key] = spec.PollInterval
	}
}

// desiredTasks lists the tasks that should run: those of split connectors
// whose target is RUNNING. Paused, stopped and deleted connectors get no
// new dispatches.
func (s *Scheduler) desiredTasks(recs []state.ConnectorRecord) []taskSpec {
	var out []taskSpec
	for _, rec := range recs {
		if rec.Target != state.TargetRunning || rec.Generation == 0 {
			continue
		}
		for i, cfg := range rec.Tasks {
			out = append(out, s.spec(rec, i, cfg))
		}
	}
	return out
}

// spec describes task i of rec for dispatch.
func (s *Scheduler) spec(rec state.ConnectorRecord, i int, cfg map[string]string) taskSpec {
	class, kind := rec.Config["connector.class"], ""
	if p, err := s.o.Catalogue.Connectors().Lookup(class); err == nil {
		class, kind = p.Class, string(p.Type)
	}
	poll := time.Duration(connectors.Framework(cfg).PollIntervalMs) * time.Millisecond
	return taskSpec{Key: taskKey{Connector: rec.Name, Task: i}, Class: class, Config: cfg,
		TaskCount: len(rec.Tasks), PollInterval: poll, Kind: kind}
}

// splitUnsplit splits a connector stored without task configs (for example
// written by another process or from a config file), once.
func (s *Scheduler) splitUnsplit(ctx context.Context, name string) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	rec, err := s.o.Store.Connector(ctx, name)
	if err != nil || rec.Generation != 0 || rec.Target == state.TargetStopped {
		return
	}
	s.resplitStored(&rec)
	if rec.Generation == 0 {
		return // unknown class: the connector shows FAILED
	}
	if err := s.o.Store.PutConnector(ctx, rec); err != nil {
		s.log.Warn("storing task configs failed", "connector", name, "err", err)
	}
	s.poke()
}

// dispatch marks the task in flight and invokes it in its own goroutine.
func (l *loop) dispatch(ctx context.Context, spec taskSpec) {
	r := l.runs[spec.Key]
	r.InFlight = true
	l.runs[spec.Key] = r
	spec.RetryingSince = r.RetryingSince
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		start := time.Now()
		o := l.s.invoke(ctx, spec)
		l.s.observe(spec, o, time.Since(start))
		select {
		case l.results <- o:
		case <-ctx.Done():
		}
	}()
}

// invoke takes a fresh epoch and sends one invocation.
func (s *Scheduler) invoke(ctx context.Context, spec taskSpec) outcome {
	o := outcome{Key: spec.Key}
	ectx, cancel := context.WithTimeout(ctx, storeTimeout)
	epoch, err := s.o.Store.NextEpoch(ectx, spec.Key.Connector, spec.Key.Task)
	cancel()
	if err != nil {
		o.Err = fmt.Errorf("taking a new epoch for task %s from the state store: %w", spec.Key, err)
		return o
	}
	o.Epoch = epoch
	inv := wire.Invocation{
		ID:         fmt.Sprintf("%s-%d", spec.Key, epoch),
		Connector:  spec.Key.Connector,
		Task:       spec.Key.Task,
		Epoch:      epoch,
		Class:      spec.Class,
		Config:     spec.Config,
		Deadline:   s.o.Now().Add(s.o.InvocationTimeout),
		MaxRecords: s.o.MaxRecords,
		TaskCount:  spec.TaskCount,
		// An open errors.retry.timeout window goes on across invocations.
		RetryingSince: spec.RetryingSince,
	}
	s.log.Debug("dispatching", "invocation", inv.ID)
	o.Result, o.Err = s.o.Dispatcher.Dispatch(ctx, inv)
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
	poll, ok := l.polls[o.Key]
	if !ok {
		poll = time.Second
	}
	l.s.recordTopics(o.Key.Connector, o.Result.Topics)
	next, st, write := settle(l.s.o.Now(), r, o, poll, l.s.o.WorkerID, l.s.rnd())
	l.runs[o.Key] = next
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
