package scheduler

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state"
)

// revisioner is a store that counts changes to connector records, so the
// loop re-reads every connector only when one changed.
type revisioner interface {
	ConnectorsRevision(ctx context.Context) (int64, error)
}

// connectorsView is a copy of every connector kept while the store's
// revision does not move, shared read-only by the loop and the REST API, so
// neither decodes or copies 10,000 records per call when nothing changed.
type connectorsView struct {
	mu   sync.Mutex
	ok   bool
	rev  int64
	recs []state.ConnectorRecord
}

// connectors returns every connector, sorted by name. The records are shared:
// callers must not change them. Stores without a revision are read each time.
func (s *Scheduler) connectors(ctx context.Context) ([]state.ConnectorRecord, error) {
	rv, ok := s.o.Store.(revisioner)
	if !ok {
		return sortedConnectors(s.o.Store.Connectors(ctx))
	}
	rev, err := rv.ConnectorsRevision(ctx)
	if err != nil {
		return nil, err
	}
	v := &s.view
	v.mu.Lock()
	if v.ok && v.rev == rev {
		recs := v.recs
		v.mu.Unlock()
		return recs, nil
	}
	v.mu.Unlock()
	// Read after the revision: a change in between leaves newer records
	// under an older revision, which the next call reads again.
	recs, err := sortedConnectors(s.o.Store.Connectors(ctx))
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	v.ok, v.rev, v.recs = true, rev, recs
	v.mu.Unlock()
	return recs, nil
}

// sortedConnectors sorts a store's fresh answer by name, if it is not already.
func sortedConnectors(recs []state.ConnectorRecord, err error) ([]state.ConnectorRecord, error) {
	byName := func(a, b state.ConnectorRecord) int { return strings.Compare(a.Name, b.Name) }
	if err == nil && !slices.IsSortedFunc(recs, byName) {
		slices.SortFunc(recs, byName)
	}
	return recs, err
}

// connSpecs are one connector's desired tasks and what they were built from.
type connSpecs struct {
	gen    int64
	target state.TargetState
	tasks  []map[string]string
	specs  []taskSpec
}

// refresh re-reads connectors and rebuilds the desired tasks, and reports
// whether it did: a store whose revision did not move since the last full
// read is not read again. On a store error it keeps the previous view:
// running tasks keep running.
func (l *loop) refresh(ctx context.Context, now time.Time) bool {
	l.fresh = now
	cctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	rev, haveRev := int64(0), false
	if rv, ok := l.s.o.Store.(revisioner); ok {
		if r, err := rv.ConnectorsRevision(cctx); err == nil {
			if !l.dirty && l.haveRev && r == l.rev {
				return false
			}
			rev, haveRev = r, true
		}
	}
	recs, err := l.s.connectors(cctx)
	if err != nil {
		if ctx.Err() == nil {
			l.s.log.Warn("reading connectors failed; keeping the previous view", "err", err)
		}
		return false
	}
	l.dirty, l.rev, l.haveRev = false, rev, haveRev
	known := make(map[string]bool, len(recs))
	gens := make(map[string]int64, len(recs))
	restart := map[string]bool{}
	conns := make(map[string]connSpecs, len(recs))
	specs := make(map[taskKey]taskSpec, len(l.specs))
	for _, rec := range recs {
		known[rec.Name], gens[rec.Name] = true, rec.Generation
		if old, ok := l.gens[rec.Name]; ok && old != rec.Generation {
			restart[rec.Name] = true
		}
		if !l.mine(rec.Name) {
			continue // another scheduler's shard
		}
		if rec.Generation == 0 && rec.Target != state.TargetStopped {
			l.s.splitUnsplit(cctx, rec.Name) // its tasks are picked up when its change event arrives
		}
		cs := l.s.connSpecs(rec, l.conns[rec.Name])
		conns[rec.Name] = cs
		for _, spec := range cs.specs {
			specs[spec.Key] = spec
		}
	}
	l.known, l.gens, l.conns, l.specs = known, gens, conns, specs
	l.restartTasks(restart)
	return true
}

// reload re-reads one connector changed through this process's API and
// updates its desired tasks; new or changed tasks are due at once, tasks no
// longer desired are forgotten once nothing is in flight for them.
func (l *loop) reload(ctx context.Context, name string) {
	cctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	rec, err := l.s.o.Store.Connector(cctx, name)
	if errors.Is(err, state.ErrNotFound) {
		delete(l.known, name)
		delete(l.gens, name)
		l.dropSpecs(name)
		return
	}
	if err != nil {
		if ctx.Err() == nil {
			l.s.log.Warn("reading a changed connector failed; reading every connector again", "connector", name, "err", err)
		}
		l.dirty = true
		return
	}
	old := l.conns[name]
	l.known[name] = true
	if gen, ok := l.gens[name]; ok && gen != rec.Generation {
		l.restartTasks(map[string]bool{name: true})
	}
	l.gens[name] = rec.Generation
	if !l.mine(name) {
		l.dropSpecs(name) // another scheduler's shard: it reads the change itself
		return
	}
	if rec.Generation == 0 && rec.Target != state.TargetStopped {
		l.s.splitUnsplit(cctx, name)
	}
	l.dropSpecs(name)
	cs := l.s.connSpecs(rec, old)
	l.conns[name] = cs
	for _, spec := range cs.specs {
		l.specs[spec.Key] = spec
		if r := l.runs[spec.Key]; !r.InFlight && !r.Failed {
			l.queue.push(r.NextDue, spec.Key)
		}
	}
	for i := len(cs.specs); i < len(old.specs); i++ {
		k := old.specs[i].Key
		if r, ok := l.runs[k]; ok && !r.InFlight {
			delete(l.runs, k)
		}
	}
}

// dropSpecs removes a connector's tasks from the desired ones.
func (l *loop) dropSpecs(name string) {
	for _, spec := range l.conns[name].specs {
		delete(l.specs, spec.Key)
	}
	delete(l.conns, name)
}

// connSpecs returns rec's desired tasks, reusing old when rec's generation,
// target and task configs are those old was built from: building a spec
// parses the task config, which the loop must not redo for every connector
// at every refresh. A reused spec takes rec's task config maps (equal to
// its own), so the loop keeps no copy of them besides the one its records
// come from.
func (s *Scheduler) connSpecs(rec state.ConnectorRecord, old connSpecs) connSpecs {
	cs := connSpecs{gen: rec.Generation, target: rec.Target, tasks: rec.Tasks}
	if rec.Target != state.TargetRunning || rec.Generation == 0 {
		return cs
	}
	if old.gen == rec.Generation && old.target == rec.Target && len(old.specs) == len(rec.Tasks) &&
		slices.EqualFunc(old.tasks, rec.Tasks, maps.Equal) {
		for i := range old.specs {
			old.specs[i].Config = rec.Tasks[i]
		}
		old.tasks = rec.Tasks
		return old
	}
	for i, cfg := range rec.Tasks {
		cs.specs = append(cs.specs, s.spec(rec, i, cfg))
	}
	return cs
}

// desiredTasks lists the tasks that should run: those of split connectors
// whose target is RUNNING. Paused, stopped and deleted connectors get no
// new dispatches.
func (s *Scheduler) desiredTasks(recs []state.ConnectorRecord) []taskSpec {
	var out []taskSpec
	for _, rec := range recs {
		out = append(out, s.connSpecs(rec, connSpecs{}).specs...)
	}
	return out
}

// spec describes task i of rec for dispatch.
func (s *Scheduler) spec(rec state.ConnectorRecord, i int, cfg map[string]string) taskSpec {
	class, kind := rec.Config["connector.class"], ""
	if p, err := s.o.Catalogue.Connectors().Lookup(class); err == nil {
		class, kind = p.Class, string(p.Type)
	}
	fw := connectors.Framework(cfg)
	return taskSpec{Key: taskKey{Connector: rec.Name, Task: i}, Class: class, Config: cfg,
		TaskCount: len(rec.Tasks), Kind: kind,
		PollInterval: time.Duration(fw.PollIntervalMs) * time.Millisecond,
		IdleMax:      time.Duration(fw.PollIdleMaxMs) * time.Millisecond}
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
	s.resplitStored(ctx, &rec)
	if rec.Generation == 0 {
		return // unknown class: the connector shows FAILED
	}
	if err := s.o.Store.PutConnector(ctx, rec); err != nil {
		s.log.Warn("storing task configs failed", "connector", name, "err", err)
	}
	s.changed(name)
}
