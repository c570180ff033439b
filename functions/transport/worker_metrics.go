package transport

import (
	"context"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
	"github.com/prometheus/client_golang/prometheus"
)

// WorkerMetrics are the metrics one `ferry worker` exports about the
// invocations it ran, under ferry_function_. The Kafka Connect metrics of
// the tasks come from the scheduler, which sees every Result (Lambda's too);
// scraping workers for them would count each invocation twice.
type WorkerMetrics struct {
	invocations *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	records     *prometheus.CounterVec
	inFlight    prometheus.Gauge
}

// NewWorkerMetrics registers the worker metrics with reg.
func NewWorkerMetrics(reg prometheus.Registerer) *WorkerMetrics {
	m := &WorkerMetrics{
		invocations: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_function_invocations_total",
			Help: "Invocations this worker ran, by connector and outcome (RUNNING, RETRYING, FAILED, FENCED)."}, []string{"connector", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ferry_function_invocation_duration_seconds",
			Help: "Time this worker spent in invocations.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)}, []string{"connector"}),
		records: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_function_records_total",
			Help: "Records this worker's invocations read, wrote and failed."}, []string{"connector", "outcome"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "ferry_function_in_flight",
			Help: "Invocations running in this worker now."}),
	}
	reg.MustRegister(m.invocations, m.duration, m.records, m.inFlight)
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
	c := inv.Connector
	o.m.invocations.WithLabelValues(c, res.State).Inc()
	o.m.duration.WithLabelValues(c).Observe(time.Since(start).Seconds())
	o.m.records.WithLabelValues(c, "read").Add(float64(res.Read))
	o.m.records.WithLabelValues(c, "written").Add(float64(res.Written))
	o.m.records.WithLabelValues(c, "failed").Add(float64(res.Failed))
	return res, err
}
