//go:build integration

package e2e

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cpuSeconds is the user+system CPU time a process used so far.
func cpuSeconds(t testing.TB, p *proc) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64) // fields 14 and 15 of stat, in clock ticks
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

// BenchmarkMetricsCost moves 100,000 records datagen -> Kafka -> file through
// a scheduler and a worker with metrics off, then on with a real Prometheus
// scraping both every second, then also with every invocation traced to an
// OTLP receiver, and prints records per CPU-second of the two ferry
// processes for each and the ratios.
func BenchmarkMetricsCost(b *testing.B) {
	const n = 100_000
	rate := map[string]float64{}
	rcv := httptest.NewServer(&otlpReceiver{})
	defer rcv.Close()
	for _, mode := range []string{"off", "metrics", "metrics+tracing"} {
		on := mode != "off"
		env := []string{"FERRY_METRICS_ENABLE=" + strconv.FormatBool(on)}
		if mode == "metrics+tracing" { // every invocation traced (the default parentbased_always_on sampler)
			env = append(env, "OTEL_EXPORTER_OTLP_ENDPOINT="+rcv.URL)
		}
		c := newClusterWith(b, 15, env...)
		wport := freePort(b)
		w := start(b, c.env, "worker", "--concurrency", "4", "--metrics-listeners", fmt.Sprintf("127.0.0.1:%d", wport))
		if on {
			startPrometheus(b, map[string]string{"s": strings.TrimPrefix(c.api.base, "http://"), "w": fmt.Sprintf("127.0.0.1:%d", wport)})
		}
		time.Sleep(2 * time.Second) // start-up done
		cpu0 := cpuSeconds(b, c.sched) + cpuSeconds(b, w)
		out := filepath.Join(b.TempDir(), "orders.txt")
		begin := time.Now()
		datagenToFile(c, n, out)
		waitFor(b, 3*time.Minute, "100,000 records in the sink file", func() bool {
			lines, _, _ := sinkCounts(b, out)
			return lines >= n
		})
		cpu := cpuSeconds(b, c.sched) + cpuSeconds(b, w) - cpu0
		rate[mode] = n / cpu
		b.Logf("%s: %d records in %.1fs wall, %.2f CPU-seconds (scheduler+worker): %.0f records per CPU-second",
			mode, n, time.Since(begin).Seconds(), cpu, rate[mode])
		c.sched.stop()
		w.stop()
	}
	b.Logf("metrics / off: %.3f of the records per CPU-second (cost %.1f%%); metrics+tracing / metrics: %.3f (cost %.1f%%)",
		rate["metrics"]/rate["off"], 100*(1-rate["metrics"]/rate["off"]),
		rate["metrics+tracing"]/rate["metrics"], 100*(1-rate["metrics+tracing"]/rate["metrics"]))
}
