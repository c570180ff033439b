//go:build integration

package functions_test

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kgo"
)

// requestCounter counts the Kafka requests a handler's clients write, and
// those of them that are fetches (kgo.HookBrokerWrite).
type requestCounter struct{ all, fetches atomic.Int64 }

func (c *requestCounter) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, _ error) {
	c.all.Add(1)
	if key == 1 { // Fetch
		c.fetches.Add(1)
	}
}

// BenchmarkSinkInvocationCost prints what a sink invocation costs besides
// its records: ferry's FileStreamSink drains benchRecords datagen orders in
// invocations of 100 records (so the fixed costs dominate) and the
// benchmark reports CPU time per invocation (this process, the records'
// own share included: about 0.2 ms per 100 records) and Kafka requests
// per invocation besides fetches. Each invocation takes a new epoch from
// the file store first, as the scheduler does (its fsync is in the figure).
func BenchmarkSinkInvocationCost(b *testing.B) {
	reqs := &requestCounter{}
	h, st, _ := benchHandler(b, kgo.WithHooks(reqs))
	topic := fmt.Sprintf("bench-sinkinv-%d", time.Now().UnixNano()%1e9)
	runAll(b, h, st, benchDatagen(topic))
	const batch = 100
	name := topic + "-sink"
	inv := functions.Invocation{ID: name, Connector: name, Class: "FileStreamSink", MaxRecords: batch,
		Config: map[string]string{"name": name, "connector.class": "FileStreamSink", "topics": topic,
			"file": filepath.Join(b.TempDir(), name+".txt"), "tasks.max": "1", "consumer.override.max.poll.records": fmt.Sprint(batch)}}
	all0, fetches0 := reqs.all.Load(), reqs.fetches.Load()
	c := measureCost(b, benchRecords, func() int { return runAll(b, h, st, inv) })
	// Each invocation reads exactly batch records (MaxRecords bounds it), the
	// last one finding none left after it.
	invocations := float64(benchRecords / batch)
	b.ReportMetric(c.cpu.Seconds()*1e3/invocations, "cpu-ms/invocation")
	b.ReportMetric(float64(reqs.all.Load()-all0-(reqs.fetches.Load()-fetches0))/invocations, "requests/invocation")
	b.ReportMetric(float64(c.bytes)/invocations, "B/invocation")
}
