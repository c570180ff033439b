//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"testing"

	"github.com/ferryhq/ferry/connectors/debezium/oracle"
)

// BenchmarkStreamPerCPU prints streaming changes per CPU-second of this
// process (connector, converter and producer in-process, so -cpuprofile
// and -memprofile see only them) and allocations per change, for 100,000
// inserts of about 200 bytes (100 transactions of 1,000 rows) written as
// schemaless JSON: the rows and records of BenchmarkPeerMariaDB's streaming
// side in the repository root, where Debezium and raw franz-go run beside it.
func BenchmarkStreamPerCPU(b *testing.B) {
	const rows = 100000
	conn := db(b)
	name := uniq("bstream")
	exec(b, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, label VARCHAR(200) NOT NULL, qty INT NOT NULL, ts TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))",
		"INSERT INTO "+name+" (id, label, qty) VALUES (0, REPEAT('x', 150), 0)")
	cfg := connectorConfig(b, name, name)
	cfg["max.batch.size"] = "10000"
	for _, side := range []string{"key", "value"} {
		cfg[side+".converter"], cfg[side+".converter.schemas.enable"] = "org.apache.kafka.connect.json.JsonConverter", "false"
	}
	hs := newHarness(b, cfg)
	hs.DrainAtLeast(20000, 1)
	for lo := 1; lo <= rows; lo += 1000 {
		exec(b, conn, fmt.Sprintf("INSERT INTO %s (id, label, qty) SELECT seq, CONCAT(REPEAT('x', 150), seq), seq FROM seq_%d_to_%d", name, lo, lo+999))
	}
	oracle.PerChange(b, rows, func() { hs.DrainAtLeast(20000, rows) })
}
