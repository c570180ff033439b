package oracle

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// PerChange runs stream, which must stream n changes into Kafka in this
// process, and reports changes per CPU-second of the process, changes/s,
// and allocations and bytes allocated per change (the CDC connectors'
// BenchmarkStreamPerCPU).
func PerChange(b *testing.B, n int, stream func()) {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	b.ResetTimer()
	start, cpu := time.Now(), CPUSeconds(b)
	stream()
	b.StopTimer()
	used, wall := CPUSeconds(b)-cpu, time.Since(start).Seconds()
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(n)/used, "changes/cpu-s")
	b.ReportMetric(float64(n)/wall, "changes/s")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(n), "allocs/change")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/float64(n), "B/change")
}

// CPUSeconds is the user+system CPU time this process has used.
func CPUSeconds(b testing.TB) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// RawProduce is the CDC benchmarks' baseline: franz-go alone producing n
// copies of value (a record ferry wrote, so compression sees the same
// bytes) to a new topic on the Kafka of seeds, acks=all and idempotent like
// ferry's producer, waiting for every ack; in records/s and records per
// CPU-second of this process. One record first creates the topic and the
// connections, outside the measure.
func RawProduce(b testing.TB, seeds []string, n int, value []byte) (perSec, perCPU float64) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(2*time.Millisecond), kgo.AllowAutoTopicCreation(),
		kgo.MaxBufferedRecords(1<<16))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	topic := fmt.Sprintf("raw-%d", time.Now().UnixNano())
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: topic, Value: value}).FirstErr(); err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(n)
	start, cpu := time.Now(), CPUSeconds(b)
	for i := 0; i < n; i++ {
		cl.Produce(context.Background(), &kgo.Record{Topic: topic, Value: value}, func(*kgo.Record, error) { wg.Done() })
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), float64(n) / (CPUSeconds(b) - cpu)
}
