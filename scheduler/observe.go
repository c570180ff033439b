package scheduler

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/ferryhq/ferry/scheduler/metrics"
)

// rtter is a Dispatcher that can measure its transport's round trip (NATS).
type rtter interface {
	RTT() (time.Duration, error)
}

// newMetrics builds the scheduler's metrics: the status metrics read the
// store at scrape time, the task metrics add up the invocations' Results.
func (s *Scheduler) newMetrics() *metrics.Set {
	if s.o.DisableMetrics {
		return nil
	}
	o := metrics.Options{Status: s.metricsSnapshot, Now: s.o.Now}
	if r, ok := s.o.Dispatcher.(rtter); ok {
		o.NATS = r.RTT
	}
	return metrics.New(o)
}

// Metrics serves the Prometheus metrics (also at GET /metrics on the REST API).
func (s *Scheduler) Metrics() http.Handler { return s.metrics.Handler() }

// MetricsSet is the scheduler's metrics, for extra collectors and tests.
func (s *Scheduler) MetricsSet() *metrics.Set { return s.metrics }

// metricsSnapshot reads every connector's status as GET /connectors?expand=status would.
func (s *Scheduler) metricsSnapshot(ctx context.Context) (metrics.Snapshot, error) {
	recs, err := s.connectors(ctx) // shared, read-only
	if err != nil {
		return metrics.Snapshot{}, fmt.Errorf("listing connectors: %w", err)
	}
	stored, err := s.statuses(ctx, recs) // one read for all, not one per connector
	if err != nil {
		return metrics.Snapshot{}, err
	}
	snap := metrics.Snapshot{Connectors: make([]metrics.Connector, 0, len(recs))}
	for _, rec := range recs {
		st := s.statusOf(rec, stored[rec.Name])
		c := metrics.Connector{Name: rec.Name, Class: rec.Config["connector.class"], Type: st.Type,
			Version: st.Connector.Version, State: st.Connector.State, Tasks: make([]string, len(st.Tasks))}
		for i, t := range st.Tasks {
			c.Tasks[i] = t.State
		}
		snap.Connectors = append(snap.Connectors, c)
	}
	return snap, nil
}

// observe adds one dispatch to the metrics.
func (s *Scheduler) observe(spec taskSpec, o outcome, took time.Duration) {
	res := o.Result
	if res.Connector == "" {
		res.Connector, res.Task = spec.Key.Connector, spec.Key.Task
	}
	s.metrics.Observe(spec.Kind, res, o.Err, took)
}
