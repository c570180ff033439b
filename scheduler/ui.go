package scheduler

import (
	"context"
	"fmt"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/scheduler/console"
	"github.com/ferryhq/ferry/scheduler/metrics"
)

// consoleOverview is what one refresh of the web console (/ui) shows: every
// connector's status as GET /connectors?expand=status reads it, its config
// with secrets masked, and the metrics' totals of each task.
func (s *Scheduler) consoleOverview(ctx context.Context) (console.Overview, error) {
	recs, err := s.connectors(ctx) // shared, read-only
	if err != nil {
		return console.Overview{}, fmt.Errorf("listing connectors: %w", err)
	}
	stored, err := s.statuses(ctx, recs)
	if err != nil {
		return console.Overview{}, err
	}
	stats := map[taskKey]metrics.TaskStats{}
	for _, st := range s.metrics.Stats() {
		stats[taskKey{st.Connector, st.Task}] = st
	}
	ov := console.Overview{Time: s.o.Now().UnixMilli(), Metrics: s.metrics.Leading(), Connectors: make([]console.Connector, 0, len(recs))}
	for _, rec := range recs {
		st := s.statusOf(rec, stored[rec.Name])
		c := console.Connector{Name: rec.Name, Type: st.Type, Class: rec.Config["connector.class"], State: st.Connector.State,
			WorkerID: st.Connector.WorkerID, Trace: st.Connector.Trace, Config: console.Mask(rec.Config, s.passwordKeys(rec.Config)),
			Tasks: make([]console.Task, len(st.Tasks))}
		for i, t := range st.Tasks {
			m := stats[taskKey{rec.Name, t.ID}]
			c.Tasks[i] = console.Task{ID: t.ID, State: t.State, WorkerID: t.WorkerID, Trace: t.Trace, Read: m.Read, Written: m.Written,
				Errors: m.Errors, DLQ: m.DLQRequests, DLQFailures: m.DLQFailures, Lag: m.Lag}
		}
		ov.Connectors = append(ov.Connectors, c)
	}
	return ov, nil
}

// passwordKeys are the keys of config declared PASSWORD by its connector or
// the framework: their values are hidden however they are named.
func (s *Scheduler) passwordKeys(config map[string]string) map[string]bool {
	out := map[string]bool{}
	p, err := s.o.Catalogue.Connectors().Lookup(config["connector.class"])
	if err != nil {
		return out
	}
	for _, def := range []any{frameworkConfig(p.Type), p.Config} {
		if def == nil {
			continue
		}
		for _, k := range connectors.Declare(def).Keys {
			if k.Type == connectors.ConfigPassword {
				out[k.Name] = true
			}
		}
	}
	return out
}
