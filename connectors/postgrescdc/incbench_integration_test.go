//go:build integration

package postgrescdc_test

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkIncrementalSnapshot reads the same 100,000-row table three ways,
// alternating, each into its own connector: the plain chunked snapshot
// (snapshot.fetch.size=10240, the baseline) and the watermarked one
// (signal.data.collection set) with chunks of 1024 (Debezium's default)
// and 10240 rows. Rows per second, and each as a ratio to the baseline.
func BenchmarkIncrementalSnapshot(b *testing.B) {
	const rows = 100000
	conn := pg(b)
	base := uniq("binc")
	tbl := base + "_t"
	sig := base + "_signal"
	exec(b, conn, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY, label TEXT NOT NULL, qty INT NOT NULL, ts TIMESTAMPTZ NOT NULL DEFAULT now())",
		fmt.Sprintf("INSERT INTO %s SELECT g, 'label-'||g, g FROM generate_series(1, %d) g", tbl, rows),
		"CREATE TABLE "+sig+" (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)")
	modes := []struct {
		name  string
		chunk int // 0: plain chunked snapshot
	}{{"plain", 0}, {"watermarked-1024", 1024}, {"watermarked-10240", 10240}}
	rates := map[string][]float64{}
	for round := 0; round < 2; round++ {
		for _, m := range modes {
			name := fmt.Sprintf("%s_%d_%d", base, round, m.chunk)
			dropSlot(b, conn, name)
			cfg := connectorConfig(b, name, "public."+tbl)
			if m.chunk > 0 {
				cfg = incConfig(b, name, sig, "initial", m.chunk, "public."+tbl)
				cfg["max.batch.size"] = "10240"
			}
			hs := newHarness(b, cfg)
			start := time.Now()
			if n := hs.DrainAtLeast(100000, rows); n != rows {
				b.Fatalf("%s: read %d, want %d", m.name, n, rows)
			}
			rates[m.name] = append(rates[m.name], float64(rows)/time.Since(start).Seconds())
		}
	}
	best := func(r []float64) float64 { return max(r[0], r[1]) }
	plain := best(rates["plain"])
	for _, m := range modes {
		r := best(rates[m.name])
		b.ReportMetric(r, m.name+"_rows/s")
		fmt.Printf("BenchmarkIncrementalSnapshot: %s %.0f rows/s (best of 2), %.2f× the plain chunked snapshot\n", m.name, r, r/plain)
	}
}
