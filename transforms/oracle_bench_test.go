//go:build integration

package transforms_test

import (
	"bytes"
	"encoding/json"
	"math"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/transforms"
)

// BenchmarkChainVsKafkaConnect times the 5-transform chain of BenchmarkChain5
// on the same 1 KiB Struct records in ferry and in Kafka Connect 4.1.1's own
// transforms (the Java oracle's --bench mode, after a 3 s JIT warm-up), on
// the same machine in the same run, and reports both and their ratio. Each
// side runs three rounds of a fixed number of records (whatever b.N is: make
// bench uses -benchtime 1x) and keeps its best round, the one least disturbed
// by other work on a shared machine.
func BenchmarkChainVsKafkaConnect(b *testing.B) {
	const n = 500_000
	cp := oracleClasspath(b)
	lines := benchRecords(1000)
	chain, err := transforms.NewChain(benchConfig())
	if err != nil {
		b.Fatal(err)
	}
	recs := decodeAll(b, lines)
	for i := 0; i < 50_000; i++ { // warm-up, like the JVM's
		chain.Apply(recs[i%len(recs)])
	}
	goNs, goCPU, allocs := math.Inf(1), math.Inf(1), 0.0
	for round := 0; round < 3; round++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		cpu0 := cpuTime()
		start := time.Now()
		for i := 0; i < n; i++ {
			if _, _, err := chain.Apply(recs[i%len(recs)]); err != nil {
				b.Fatal(err)
			}
		}
		goNs = math.Min(goNs, float64(time.Since(start).Nanoseconds())/n)
		goCPU = math.Min(goCPU, float64(cpuTime()-cpu0)/n)
		runtime.ReadMemStats(&after)
		allocs = float64(after.Mallocs-before.Mallocs) / n
	}

	records := make([]json.RawMessage, len(lines))
	for i, l := range lines {
		records[i] = l
	}
	input, _ := json.Marshal(oracleCase{Config: benchConfig(), Records: records})
	out := runOracle(b, cp, append(input, '\n'), "--bench", strconv.Itoa(n))
	var res struct {
		NsPerRecord, CPUPerRecord float64
		Wall                      []float64 `json:"ns_per_record"`
		CPU                       []float64 `json:"cpu_ns_per_record"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out[len(out)-1]), &res); err != nil || len(res.Wall) == 0 {
		b.Fatalf("oracle --bench output %q: %v", out, err)
	}
	res.NsPerRecord, res.CPUPerRecord = slices.Min(res.Wall), slices.Min(res.CPU)
	b.ReportMetric(goNs, "ferry-ns/record")
	b.ReportMetric(goCPU, "ferry-cpu-ns/record")
	b.ReportMetric(allocs, "ferry-allocs/record")
	b.ReportMetric(res.NsPerRecord, "kafka-connect-ns/record")
	b.ReportMetric(res.CPUPerRecord, "kafka-connect-cpu-ns/record")
	b.ReportMetric(res.NsPerRecord/goNs, "speedup-wall-x")
	b.ReportMetric(res.CPUPerRecord/goCPU, "speedup-cpu-x")
	b.Logf("5-transform chain on 1 KiB Structs, best of 3 rounds of %d records: ferry %.0f ns/record wall, %.0f ns/record CPU (GC included), %.1f allocs/record; "+
		"Kafka Connect 4.1.1 %.0f ns/record wall, %.0f ns/record CPU (GC and JIT threads included); ferry %.2fx faster by wall time, %.2fx by CPU time",
		n, goNs, goCPU, allocs, res.NsPerRecord, res.CPUPerRecord, res.NsPerRecord/goNs, res.CPUPerRecord/goCPU)
}

// cpuTime is the user+system CPU time of this process, all threads (GC included).
func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
