package transport

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
	"github.com/prometheus/client_golang/prometheus"
)

// WorkerMetrics are the metrics one `ferry worker` exports about the
// invocations it ran, under ferry_function_. The Kafka Connect metrics of
// the tasks come from the scheduler, which sees every Result (Lambda's too);
// scraping workers for them would count each invocation twice.
//
// Each connector's figures are plain counts turned into const metrics at
// scrape time (a client_golang vector child costs about 1 KB: at 10,000
// connectors they were 40 MB of `ferry standalone`'s heap), and a connector
// that ran nothing here for workerMetricsIdle is dropped, so a long-lived
// worker's series stay bounded by the connectors it runs.
type WorkerMetrics struct {
	inFlight prometheus.Gauge
	now      func() time.Time

	mu    sync.Mutex
	conns map[string]*workerConn
}

// workerMetricsIdle is how long a connector's worker series outlive its
// last invocation here.
const workerMetricsIdle = time.Hour

// workerDurationBuckets are ferry_function_invocation_duration_seconds's bounds.
var workerDurationBuckets = prometheus.ExponentialBuckets(0.005, 2, 14)

var (
	workerInvocationsDesc = prometheus.NewDesc("ferry_function_invocations_total",
		"Invocations this worker ran, by connector and outcome (RUNNING, RETRYING, FAILED, FENCED).", []string{"connector", "outcome"}, nil)
	workerDurationDesc = prometheus.NewDesc("ferry_function_invocation_duration_seconds",
		"Time this worker spent in invocations.", []string{"connector"}, nil)
	workerRecordsDesc = prometheus.NewDesc("ferry_function_records_total",
		"Records this worker's invocations read, wrote and failed.", []string{"connector", "outcome"}, nil)
)

// workerConn is one connector's counts.
type workerConn struct {
	outcomes              map[string]uint64
	buckets               [15]uint64 // one slot more than the bounds: above the last
	sum                   float64
	n                     uint64
	read, written, failed int64
	last                  time.Time
}

// NewWorkerMetrics registers the worker metrics with reg.
func NewWorkerMetrics(reg prometheus.Registerer) *WorkerMetrics {
	m := &WorkerMetrics{now: time.Now, conns: map[string]*workerConn{},
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "ferry_function_in_flight",
			Help: "Invocations running in this worker now."})}
	reg.MustRegister(m.inFlight, workerCollector{m})
	return m
}

// Wrap returns an Invoker that records every invocation inv runs.
func (m *WorkerMetrics) Wrap(inv Invoker) Invoker { return observed{inv, m} }

type observed struct {
	inv Invoker
	m   *WorkerMetrics
}

func (o observed) Handle(ctx context.Context, inv wire.Invocation) (wire.Result, error) {
	o.m.inFlight.Inc()
	start := time.Now()
	res, err := o.inv.Handle(ctx, inv)
	o.m.inFlight.Dec()
	o.m.observe(inv.Connector, res, time.Since(start))
	return res, err
}

// observe adds one invocation of connector.
func (m *WorkerMetrics) observe(connector string, res wire.Result, took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.conns[connector]
	if c == nil {
		c = &workerConn{outcomes: map[string]uint64{}}
		m.conns[connector] = c
	}
	c.outcomes[res.State]++
	v := took.Seconds()
	c.buckets[sort.SearchFloat64s(workerDurationBuckets, v)]++ // buckets are upper-inclusive
	c.sum += v
	c.n++
	c.read += res.Read
	c.written += res.Written
	c.failed += res.Failed
	c.last = m.now()
}

// workerCollector emits the per-connector counts.
type workerCollector struct{ m *WorkerMetrics }

// Describe describes nothing: the collector is unchecked (its series
// depend on the connectors run).
func (workerCollector) Describe(chan<- *prometheus.Desc) {}

// Collect emits every connector's series and drops the idle ones.
func (w workerCollector) Collect(ch chan<- prometheus.Metric) {
	m := w.m
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for name, c := range m.conns {
		if now.Sub(c.last) > workerMetricsIdle {
			delete(m.conns, name)
			continue
		}
		for outcome, n := range c.outcomes {
			ch <- prometheus.MustNewConstMetric(workerInvocationsDesc, prometheus.CounterValue, float64(n), name, outcome)
		}
		cum := make(map[float64]uint64, len(workerDurationBuckets))
		var acc uint64
		for i, b := range workerDurationBuckets {
			acc += c.buckets[i]
			cum[b] = acc
		}
		ch <- prometheus.MustNewConstHistogram(workerDurationDesc, c.n, c.sum, cum, name)
		for outcome, n := range map[string]int64{"read": c.read, "written": c.written, "failed": c.failed} {
			ch <- prometheus.MustNewConstMetric(workerRecordsDesc, prometheus.CounterValue, float64(n), name, outcome)
		}
	}
}
