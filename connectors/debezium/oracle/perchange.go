package oracle

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// PerChange runs stream, which must stream n changes into Kafka in this
// process, and reports changes per CPU-second of the process, changes/s,
// and allocations and bytes allocated per change (the CDC connectors'
// BenchmarkStreamPerCPU).
func PerChange(b *testing.B, n int, stream func()) {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	b.ResetTimer()
	start, cpu := time.Now(), cpuSeconds(b)
	stream()
	b.StopTimer()
	used, wall := cpuSeconds(b)-cpu, time.Since(start).Seconds()
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(n)/used, "changes/cpu-s")
	b.ReportMetric(float64(n)/wall, "changes/s")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(n), "allocs/change")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/float64(n), "B/change")
}

// cpuSeconds is the user+system CPU time this process has used.
func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
