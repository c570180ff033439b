package metrics

import (
	"sort"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// ferry's per-connector histograms and the per-task invocation counter are
// kept as plain counts and turned into const metrics at scrape time: a
// client_golang HistogramVec child costs about 1 KB and a CounterVec child
// a few hundred bytes, which at 10,000 connectors was half of the
// scheduler's live heap (51 of 103 MB); these counts take about 350 bytes
// per connector. The exposition is the same.

// Bucket upper bounds of the three histograms.
var (
	durationBuckets = prometheus.ExponentialBuckets(0.005, 2, 14)
	dispatchBuckets = prometheus.ExponentialBuckets(0.0005, 2, 14)
	recordsBuckets  = prometheus.ExponentialBuckets(1, 4, 10)
)

// Descriptions of the families kept as counts.
var (
	invocationsDesc = prometheus.NewDesc("ferry_invocations_total",
		"Invocations by outcome: RUNNING, RETRYING, FAILED or FENCED.", []string{"connector", "task", "outcome"}, nil)
	durationDesc = prometheus.NewDesc("ferry_invocation_duration_seconds",
		"Time functions spent running invocations.", []string{"connector"}, nil)
	dispatchDesc = prometheus.NewDesc("ferry_dispatch_latency_seconds",
		"Time an invocation spent outside the function: taking its epoch, crossing NATS or Lambda, and the reply.", []string{"connector"}, nil)
	recordsDesc = prometheus.NewDesc("ferry_invocation_records",
		"Records read per invocation.", []string{"connector"}, nil)
)

// connHists are one connector's three histograms. Each invocation adds to
// all three, so they share one count; each counts array has one slot more
// than its bounds, for observations above the last bound.
type connHists struct {
	duration, dispatch      [15]uint64
	records                 [11]uint64
	durSum, dispSum, recSum float64
	n                       uint64
}

// add records one invocation's duration, dispatch latency and records read.
func (h *connHists) add(duration, dispatch, records float64) {
	h.duration[sort.SearchFloat64s(durationBuckets, duration)]++ // first bound >= v: buckets are upper-inclusive
	h.dispatch[sort.SearchFloat64s(dispatchBuckets, dispatch)]++
	h.records[sort.SearchFloat64s(recordsBuckets, records)]++
	h.durSum += duration
	h.dispSum += dispatch
	h.recSum += records
	h.n++
}

// collect emits the histograms of connector.
func (h *connHists) collect(ch chan<- prometheus.Metric, connector string) {
	emitHist(ch, durationDesc, h.duration[:], h.durSum, h.n, durationBuckets, connector)
	emitHist(ch, dispatchDesc, h.dispatch[:], h.dispSum, h.n, dispatchBuckets, connector)
	emitHist(ch, recordsDesc, h.records[:], h.recSum, h.n, recordsBuckets, connector)
}

// emitHist sends one const histogram with cumulative bucket counts.
func emitHist(ch chan<- prometheus.Metric, desc *prometheus.Desc, counts []uint64, sum float64, n uint64, bounds []float64, connector string) {
	cum := make(map[float64]uint64, len(bounds))
	var acc uint64
	for i, b := range bounds {
		acc += counts[i]
		cum[b] = acc
	}
	ch <- prometheus.MustNewConstHistogram(desc, n, sum, cum, connector)
}

// outcomeCount is how many of a task's invocations ended in one outcome.
type outcomeCount struct {
	outcome string
	n       uint64
}

// countOutcome adds one invocation that ended in outcome.
func (t *task) countOutcome(outcome string) {
	for i := range t.outcomes {
		if t.outcomes[i].outcome == outcome {
			t.outcomes[i].n++
			return
		}
	}
	t.outcomes = append(t.outcomes, outcomeCount{outcome, 1})
}

// collectOutcomes emits ferry_invocations_total for one task.
func (t *task) collectOutcomes(ch chan<- prometheus.Metric, k key) {
	id := strconv.Itoa(k.task)
	for _, o := range t.outcomes {
		ch <- prometheus.MustNewConstMetric(invocationsDesc, prometheus.CounterValue, float64(o.n), k.connector, id, o.outcome)
	}
}
