// Package scheduler is ferry's control plane: it serves Kafka Connect's REST
// API, keeps connector configs in the state store, asks each connector to
// split its work into task configs, and runs the dispatch loop that sends one
// invocation at a time per task to stateless functions (over NATS in
// production, see NATSDispatcher).
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/scheduler/metrics"
	"github.com/ferryhq/ferry/state"
)

// KafkaConnectVersion is the Kafka Connect release whose REST API ferry
// implements (the conformance suite's reference), shown as GET /'s version.
const KafkaConnectVersion = "4.1.1"

// Dispatcher sends one invocation to a function and waits for its result. It
// is the one side effect of the dispatch loop, so tests replace it.
type Dispatcher interface {
	Dispatch(ctx context.Context, inv wire.Invocation) (wire.Result, error)
}

// PluginInfo is one entry of GET /connector-plugins, as Kafka Connect's PluginInfo.
type PluginInfo struct {
	Class   string                `json:"class"`
	Type    connectors.PluginType `json:"type"`
	Version string                `json:"version,omitempty"`
}

// Options configures a Scheduler. Store, Catalogue and Dispatcher are required.
type Options struct {
	// Store keeps configs, statuses, epochs and offsets.
	Store state.Store
	// Catalogue is every plugin a connector config may name (connector,
	// converters, transformations, predicates): what the REST API accepts,
	// lists and validates.
	Catalogue Catalogue
	// Resolve, when set, resolves a connector config's ${provider:path:key}
	// placeholders with the worker's config providers, for the task split
	// only: the result is never stored or returned. May be nil.
	Resolve func(ctx context.Context, config map[string]string) (map[string]string, error)
	// Unhonoured, when set, reports keys of a connector config that ferry
	// accepts but cannot honour (client overrides it cannot apply), each as
	// a *connectors.ConfigError; the validation engine reports them on
	// create, update and /config/validate. May be nil.
	Unhonoured func(config map[string]string) error
	// Dispatcher sends invocations to functions.
	Dispatcher Dispatcher
	// Groups reads and changes sink connectors' consumer-group offsets
	// (a *kadm.Client); without it the sink offsets endpoints answer 500.
	Groups GroupAdmin
	// Loggers are the levels served by /admin/loggers (default: a fresh set).
	Loggers *Loggers
	// TopicTracking enables /connectors/{c}/topics (worker key
	// topic.tracking.enable); TopicReset enables its reset (topic.tracking.allow.reset).
	// Both default to true, as in Kafka Connect; set DisableTopicTracking/DisableTopicReset to turn them off.
	DisableTopicTracking, DisableTopicReset bool
	// WorkerID (host:port) is shown as the connector's worker_id.
	WorkerID string
	// LeaseTTL is how long the leading scheduler's lease lasts without
	// renewal (default 10s): a dead leader's successor dispatches within it.
	LeaseTTL time.Duration
	// Shards splits dispatch among several schedulers on one store
	// (worker key ferry.scheduler.shards): each of the Shards shards of
	// connectors is dispatched by one scheduler at a time, rebalanced when
	// schedulers join or die (see shards.go). 0 or 1: one scheduler leads
	// and dispatches every connector, the others stand by. Every scheduler
	// sharing a store must use the same value; above 1 the store must keep
	// a member list (Redis does).
	Shards int
	// InvocationTimeout is the deadline given to each invocation (default 10s).
	InvocationTimeout time.Duration
	// MaxRecords is the per-invocation batch limit (default 100000).
	MaxRecords int
	// Version (ferry's own, as ferry_version), Commit and KafkaClusterID are shown by GET /.
	Version, Commit, KafkaClusterID string
	// Logger receives the loop's events (default slog.Default()).
	Logger *slog.Logger
	// DisableMetrics turns the Prometheus metrics off (GET /metrics answers 404).
	DisableMetrics bool
	// Audit receives one line per mutating REST call (default: Logger with
	// logger=com.ferryhq.ferry.audit).
	Audit *slog.Logger
	// Now is the clock (default time.Now); tests replace it.
	Now func() time.Time
}

// Scheduler serves the REST API and runs the dispatch loop over one store.
type Scheduler struct {
	o   Options
	log *slog.Logger
	mux *http.ServeMux

	// writeMu serialises config writes made through the API, so that
	// check-then-write sequences (create vs. 409) are atomic in this process.
	writeMu sync.Mutex

	mu sync.Mutex
	// connFailed holds the trace of connectors whose split failed.
	connFailed map[string]string
	// pending are API events (restarts, deletes) not yet seen by the loop;
	// changedConns are connectors changed through the API since it looked.
	pending      []event
	changedConns map[string]bool
	// wake tells the loop that configs changed in this process.
	wake chan struct{}
	// view is the shared copy of every connector (connectors); lists is the
	// last rendered GET /connectors with expansions; failures moves with
	// every change to connFailed.
	view     connectorsView
	lists    listCache
	failures atomic.Int64
	// topics are the active topics of each connector (KIP-558), from results.
	topics map[string]map[string]bool

	// audit receives the audit log.
	audit *slog.Logger
	// metrics are served at GET /metrics.
	metrics *metrics.Set
	// started is set once Run reached the store; leaseSeen is when the
	// store last answered a lease call (Unix ns), for GET /health.
	started   atomic.Bool
	leaseSeen atomic.Int64

	rnd func() float64
}

// New checks o, applies defaults and returns a Scheduler.
func New(o Options) (*Scheduler, error) {
	switch {
	case o.Store == nil:
		return nil, errors.New("scheduler: Options.Store is required")
	case o.Catalogue == nil:
		return nil, errors.New("scheduler: Options.Catalogue is required")
	case o.Dispatcher == nil:
		return nil, errors.New("scheduler: Options.Dispatcher is required")
	}
	if o.Shards > maxShards {
		return nil, fmt.Errorf("scheduler: Shards is %d, above the maximum %d", o.Shards, maxShards)
	}
	if _, ok := o.Store.(memberships); o.Shards > 1 && !ok {
		return nil, fmt.Errorf("scheduler: %w: Shards is %d but this state store keeps no scheduler members; use the Redis store, or 1 shard", ErrShardsUnsupported, o.Shards)
	}
	if o.InvocationTimeout <= 0 {
		o.InvocationTimeout = 10 * time.Second
	}
	if o.MaxRecords <= 0 {
		o.MaxRecords = 100000
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Loggers == nil {
		o.Loggers = NewLoggers(nil)
	}
	s := &Scheduler{
		topics:     map[string]map[string]bool{},
		o:          o,
		log:        o.Logger.With("component", "scheduler"),
		connFailed: map[string]string{},
		wake:       make(chan struct{}, 1),
		rnd:        rand.Float64,
	}
	s.metrics = s.newMetrics()
	s.audit = newAuditLog(o)
	s.mux = s.routes()
	return s, nil
}

// Handler returns the REST API.
func (s *Scheduler) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// event is a change made through the API that the loop must act on at once.
type event struct {
	kind eventKind
	key  taskKey
}

type eventKind int

const (
	eventRestartTask eventKind = iota // clear a task's failure and dispatch it now
	eventDelete                       // forget every task of key.Connector
)

// notify queues events for the loop and wakes it.
func (s *Scheduler) notify(evs ...event) {
	s.mu.Lock()
	s.pending = append(s.pending, evs...)
	s.mu.Unlock()
	s.poke()
}

// poke wakes the loop without blocking.
func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// changed tells the loop that connector name was written through the API.
func (s *Scheduler) changed(name string) {
	s.mu.Lock()
	if s.changedConns == nil {
		s.changedConns = map[string]bool{}
	}
	s.changedConns[name] = true
	s.mu.Unlock()
	s.poke()
}

// takeEvents returns (and clears) the pending events and changed connectors.
func (s *Scheduler) takeEvents() ([]event, map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	evs, changed := s.pending, s.changedConns
	s.pending, s.changedConns = nil, nil
	return evs, changed
}

func (s *Scheduler) connectorFailure(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.connFailed[name]
	return t, ok
}

func (s *Scheduler) setConnectorFailure(name, trace string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures.Add(1)
	if trace == "" {
		delete(s.connFailed, name)
		return
	}
	s.connFailed[name] = trace
}
