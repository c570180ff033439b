// Package metrics turns the Results of invocations into Prometheus metrics
// under the names Kafka Connect's MBeans get from the JMX exporter rules
// Strimzi publishes (kafka_connect_source_task_source_record_write_total,
// kafka_connect_task_error_total_record_errors, ...), so dashboards and alerts
// written for Kafka Connect work against ferry, plus ferry's own under
// ferry_. Values aggregate what functions report, so tasks run on Lambda
// count as much as those run by a local worker. Labels are per connector
// and task (and topic-partition for sink lag), never per record or key.
package metrics

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Kinds of connector, as Kafka Connect's connector-type.
const (
	KindSource = "source"
	KindSink   = "sink"
)

// Snapshot is the state of the connectors at a scrape, read from the store.
type Snapshot struct {
	Connectors []Connector
}

// Connector is one connector's state as GET /connectors/{c}/status shows it.
type Connector struct {
	Name, Class, Type, Version string
	// State is RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED or RESTARTING.
	State string
	// Tasks holds each task's state, by task id.
	Tasks []string
}

// Options configures a Set.
type Options struct {
	// Status reads the connectors' state for the status and count metrics;
	// nil or a leader-less scheduler exports none.
	Status func(ctx context.Context) (Snapshot, error)
	// NATS measures a NATS round trip; nil when invocations do not go over NATS.
	NATS func() (time.Duration, error)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Set holds the metrics of one scheduler. A nil *Set is metrics turned
// off: every method does nothing and Handler answers 404.
type Set struct {
	o   Options
	reg *prometheus.Registry

	mu                   sync.Mutex
	tasks                map[key]*task
	hists                map[string]*connHists // by connector
	leading              bool
	owns                 func(connector string) bool // nil: every connector
	connStart, taskStart startups

	storeRTT prometheus.Gauge
	natsRTT  prometheus.Gauge
}

type key struct {
	connector string
	task      int
}

// startups counts Kafka Connect's startup-attempts/success/failure.
type startups struct{ success, failure int64 }

// New returns a Set registered with its own registry, which also holds the
// Go runtime and process collectors.
func New(o Options) *Set {
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Set{o: o, reg: prometheus.NewRegistry(), tasks: map[key]*task{}, hists: map[string]*connHists{}}
	s.storeRTT = prometheus.NewGauge(prometheus.GaugeOpts{Name: "ferry_store_round_trip_seconds",
		Help: "Time of the last state store round trip: listing the connectors at a scrape, or the GET /health probe."})
	s.natsRTT = prometheus.NewGauge(prometheus.GaugeOpts{Name: "ferry_nats_round_trip_seconds",
		Help: "NATS round trip measured at the last scrape."})
	s.reg.MustRegister(s.storeRTT, (*collector)(s),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if o.NATS != nil {
		s.reg.MustRegister(s.natsRTT)
	}
	return s
}

// Handler serves the metrics in Prometheus's text format.
func (s *Set) Handler() http.Handler {
	if s == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "metrics are off (--metrics=false)", http.StatusNotFound)
		})
	}
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Registry is the Set's registry, for tests and extra collectors.
func (s *Set) Registry() *prometheus.Registry { return s.reg }

// SetLeading records whether this scheduler holds the dispatch lease.
func (s *Set) SetLeading(lead bool) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.leading = lead
	s.mu.Unlock()
}

// SetOwner narrows the worker, connector and task metrics to the connectors
// owns accepts: a scheduler of several sharing the connectors by shard
// exports only its own, so sum() over all of them counts each once. nil
// exports every connector.
func (s *Set) SetOwner(owns func(connector string) bool) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.owns = owns
	s.mu.Unlock()
}

// mine reports whether connector's metrics are this scheduler's to export.
func (s *Set) mine(connector string) bool { return s.owns == nil || s.owns(connector) }

// StoreRoundTrip records a state store round trip measured elsewhere (GET /health).
func (s *Set) StoreRoundTrip(d time.Duration) {
	if s != nil {
		s.storeRTT.Set(d.Seconds())
	}
}

// ConnectorStartup counts one connector start (a split of its work into tasks).
func (s *Set) ConnectorStartup(ok bool) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.connStart.add(ok)
}

// TaskRestarted makes the task's next result count as a task startup.
func (s *Set) TaskRestarted(connector string, id int) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tasks[key{connector, id}]; t != nil {
		t.started = false
	}
}

// Observe adds one invocation of a task of the given kind: its result (zero
// when err says the dispatch failed) and the total time of the dispatch.
func (s *Set) Observe(kind string, res wire.Result, err error, total time.Duration) {
	if s == nil {
		return
	}
	connector, id := res.Connector, res.Task
	outcome := res.State
	if err != nil && res.State == "" {
		outcome = wire.StateRetrying
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil || res.Duration > 0 {
		h := s.hists[connector]
		if h == nil {
			h = &connHists{}
			s.hists[connector] = h
		}
		h.add(res.Duration.Seconds(), max(total-res.Duration, 0).Seconds(), float64(res.Read))
	}
	k := key{connector, id}
	t := s.tasks[k]
	if t == nil {
		t = &task{}
		s.tasks[k] = t
	}
	t.countOutcome(outcome)
	t.kind = kind
	if !t.started {
		t.started = true
		s.taskStart.add(outcome != wire.StateFailed)
	}
	t.observe(s.o.Now(), res, outcome)
}

func (st *startups) add(ok bool) {
	if ok {
		st.success++
	} else {
		st.failure++
	}
}

// forget drops the tasks of connectors no longer in snap and tasks past
// their connector's task count, so deleted connectors leave no series.
func (s *Set) forget(snap Snapshot) {
	count := make(map[string]int, len(snap.Connectors))
	for _, c := range snap.Connectors {
		count[c.Name] = len(c.Tasks)
	}
	for k := range s.tasks {
		n, ok := count[k.connector]
		if ok && k.task < n {
			continue
		}
		delete(s.tasks, k)
	}
	for c := range s.hists {
		if _, ok := count[c]; !ok {
			delete(s.hists, c)
		}
	}
}
