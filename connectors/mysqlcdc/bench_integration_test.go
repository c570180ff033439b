//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium/oracle"
)

// BenchmarkCDC prints the snapshot's rows/s and streaming changes/s into
// Kafka for ~200-byte rows (JSON with schemas, as Kafka Connect's default
// converter writes), each as a ratio to franz-go producing the same bytes in
// the same run, and streaming changes per CPU-second of this process (ratio
// to franz-go's records per CPU-second).
func BenchmarkCDC(b *testing.B) {
	const rows = 100000
	conn := db(b)
	name := uniq("bmy")
	exec(b, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, label VARCHAR(150) NOT NULL, qty INT NOT NULL, price DECIMAL(10,2), ts DATETIME(6) NOT NULL)")
	insert := func(from int) []string {
		var stmts []string
		for lo := from; lo < from+rows; lo += 2000 {
			var vals []string
			for id := lo; id < lo+2000; id++ {
				vals = append(vals, fmt.Sprintf("(%d,'%s',%d,%d.25,NOW(6))", id, strings.Repeat("l", 120), id, id%1000))
			}
			stmts = append(stmts, "INSERT INTO "+name+" VALUES "+strings.Join(vals, ","))
		}
		return stmts
	}
	exec(b, conn, insert(1)...)
	cfg := connectorConfig(b, name, name)
	cfg["max.batch.size"] = "10000"
	hs := newHarness(b, cfg)
	b.ResetTimer()
	start := time.Now()
	hs.DrainAtLeast(20000, rows+1)
	snap := float64(rows) / time.Since(start).Seconds()
	exec(b, conn, insert(rows+1)...)
	start, cpu := time.Now(), oracle.CPUSeconds(b)
	hs.DrainAtLeast(20000, rows)
	stream, streamCPU := float64(rows)/time.Since(start).Seconds(), float64(rows)/(oracle.CPUSeconds(b)-cpu)
	b.StopTimer()
	sample := consume(b, name+"."+mariadb(b).db+"."+name, 1, 20*time.Second)
	raw, rawCPU := oracle.RawProduce(b, seeds(b), rows, sample[0].Raw)
	b.ReportMetric(snap, "snapshot_rows/s")
	b.ReportMetric(stream, "stream_changes/s")
	b.Logf("snapshot %.0f rows/s (%.2f of raw franz-go %.0f/s), streaming %.0f changes/s (%.2f of raw); record %d bytes; 2-core machine shared",
		snap, snap/raw, raw, stream, stream/raw, len(sample[0].Raw))
	b.ReportMetric(streamCPU, "stream_changes/cpu-s")
	b.Logf("streaming %.0f changes per CPU-second (%.2f of raw franz-go's %.0f)", streamCPU, streamCPU/rawCPU, rawCPU)
}

// BenchmarkIncrementalSnapshot prints the initial snapshot's rows/s into
// Kafka of 100,000 ~200-byte rows read in watermarked chunks
// (signal.data.collection set; chunks of 1024, Debezium's default, and of
// 10240, snapshot.fetch.size's) as a ratio to the transaction snapshot of
// the same table in the same run.
func BenchmarkIncrementalSnapshot(b *testing.B) {
	const rows = 100000
	conn := db(b)
	name := uniq("bminc")
	exec(b, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, label VARCHAR(150) NOT NULL, qty INT NOT NULL, price DECIMAL(10,2), ts DATETIME(6) NOT NULL)")
	for lo := 1; lo <= rows; lo += 2000 {
		var vals []string
		for id := lo; id < lo+2000; id++ {
			vals = append(vals, fmt.Sprintf("(%d,'%s',%d,%d.25,NOW(6))", id, strings.Repeat("l", 120), id, id%1000))
		}
		exec(b, conn, "INSERT INTO "+name+" VALUES "+strings.Join(vals, ","))
	}
	sig := uniq("bmsig")
	exec(b, conn, "CREATE TABLE "+sig+" (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)")
	rate := func(label string, extra map[string]string) float64 {
		cfg := connectorConfig(b, uniq(label), name)
		cfg["max.batch.size"] = "10000"
		for k, v := range extra {
			cfg[k] = v
		}
		hs := newHarness(b, cfg)
		start := time.Now()
		hs.DrainAtLeast(20000, rows+1)
		return float64(rows) / time.Since(start).Seconds()
	}
	b.ResetTimer()
	tx := rate("bmtx", nil)
	inc := rate("bminc", map[string]string{"signal.data.collection": mariadb(b).db + "." + sig})
	inc10k := rate("bminc", map[string]string{"signal.data.collection": mariadb(b).db + "." + sig, "incremental.snapshot.chunk.size": "10240"})
	b.StopTimer()
	b.ReportMetric(inc, "incremental_rows/s")
	b.Logf("transaction snapshot %.0f rows/s; watermarked chunks of 1024 %.0f rows/s (%.2f of it), of 10240 %.0f rows/s (%.2f); 2-core machine shared",
		tx, inc, inc/tx, inc10k, inc10k/tx)
}

// BenchmarkSnapshotPerCPU prints the snapshot's rows per CPU-second of this
// process (connector, converter and producer in-process, so -cpuprofile
// sees them all) for 200,000 rows of about 200 bytes written as schemaless
// JSON, the rows of BenchmarkPeerMariaDB in the repository root (where
// Debezium and raw franz-go run beside it).
func BenchmarkSnapshotPerCPU(b *testing.B) {
	const rows = 200000
	conn := db(b)
	name := uniq("bsnap")
	exec(b, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, label VARCHAR(200) NOT NULL, qty INT NOT NULL, ts TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))")
	for lo := 1; lo <= rows; lo += 10000 {
		exec(b, conn, fmt.Sprintf("INSERT INTO %s (id, label, qty) SELECT seq, CONCAT(REPEAT('x', 150), seq), seq FROM seq_%d_to_%d", name, lo, lo+9999))
	}
	cfg := connectorConfig(b, name, name)
	for _, side := range []string{"key", "value"} {
		cfg[side+".converter"], cfg[side+".converter.schemas.enable"] = "org.apache.kafka.connect.json.JsonConverter", "false"
	}
	hs := newHarness(b, cfg)
	b.ResetTimer()
	start, cpu := time.Now(), oracle.CPUSeconds(b)
	hs.DrainAtLeast(20000, rows)
	b.StopTimer()
	b.ReportMetric(float64(rows)/(oracle.CPUSeconds(b)-cpu), "rows/cpu-s")
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
}
