//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"testing"
	"time"
)

func BenchmarkZProfSnapshot(b *testing.B) {
	const rows = 600000
	conn := db(b)
	name := uniq("bprof")
	exec(b, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, label VARCHAR(200) NOT NULL, qty INT NOT NULL, ts TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))")
	for lo := 1; lo <= rows; lo += 10000 {
		exec(b, conn, fmt.Sprintf("INSERT INTO %s (id, label, qty) SELECT seq, CONCAT(REPEAT('x', 150), seq), seq FROM seq_%d_to_%d", name, lo, lo+9999))
	}
	cfg := connectorConfig(b, name, name)
	for k, v := range map[string]string{"key.converter": "org.apache.kafka.connect.json.JsonConverter", "key.converter.schemas.enable": "false",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false"} {
		cfg[k] = v
	}
	hs := newHarness(b, cfg)
	b.ResetTimer()
	start, cpu := time.Now(), cpuSeconds(b)
	hs.drainAtLeast(20000, rows)
	b.ReportMetric(float64(rows)/(cpuSeconds(b)-cpu), "rows/cpu-s")
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
}
