package metrics

import (
	"math"
	"time"
)

// Kafka's metrics sample every statistic in metrics.num.samples=2 windows
// of metrics.sample.window.ms=30000; ferry keeps the same two windows so an
// -avg, -max or -rate reads as it would from Kafka Connect.
const (
	sampleWindow = 30 * time.Second
	numSamples   = 2
)

// sample is one window of observations; start is in Unix nanoseconds (a
// time.Time takes three times the room, and a task keeps 18 samples), and
// a sample with no observation (count 0) is unused.
type sample struct {
	start int64
	count int64
	sum   float64
	max   float64
}

// window is Kafka's SampledStat: observations fall into the current sample;
// a sample older than numSamples windows no longer counts.
type window struct {
	samples [numSamples]sample
	cur     int
}

// record adds v, observed at now.
func (w *window) record(now time.Time, v float64) {
	s, at := &w.samples[w.cur], now.UnixNano()
	if s.count == 0 || time.Duration(at-s.start) >= sampleWindow {
		w.cur = (w.cur + 1) % numSamples
		s = &w.samples[w.cur]
		*s = sample{start: at, max: math.Inf(-1)}
	}
	s.count++
	s.sum += v
	s.max = max(s.max, v)
}

// live calls f for each sample that has not expired at now.
func (w *window) live(now time.Time, f func(s *sample)) {
	at := now.UnixNano()
	for i := range w.samples {
		s := &w.samples[i]
		if s.count > 0 && time.Duration(at-s.start) < numSamples*sampleWindow {
			f(s)
		}
	}
}

// avg is the mean of the live observations, 0 when there are none.
func (w *window) avg(now time.Time) float64 {
	var n int64
	var sum float64
	w.live(now, func(s *sample) { n += s.count; sum += s.sum })
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// max is the largest live observation, 0 when there are none.
func (w *window) max(now time.Time) float64 {
	m, seen := 0.0, false
	w.live(now, func(s *sample) {
		if s.count > 0 && (!seen || s.max > m) {
			m, seen = s.max, true
		}
	})
	return m
}

// rate is the live sum per second, over at least (numSamples-1) windows, as
// Kafka's Rate measures it.
func (w *window) rate(now time.Time) float64 {
	var sum float64
	oldest := now.UnixNano()
	w.live(now, func(s *sample) {
		sum += s.sum
		oldest = min(oldest, s.start)
	})
	elapsed := max(time.Duration(now.UnixNano()-oldest), (numSamples-1)*sampleWindow)
	return sum / elapsed.Seconds()
}
