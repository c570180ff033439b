//go:build integration

package postgrescdc_test

import (
	"fmt"
	"testing"

	"github.com/ferryhq/ferry/connectors/debezium/oracle"
)

// BenchmarkStreamPerCPU prints streaming changes per CPU-second of this
// process (connector, converter and producer in-process, so -cpuprofile
// and -memprofile see only them) and allocations per change, for 100,000
// inserts of about 200 bytes (100 transactions of 1,000 rows) written as
// schemaless JSON: the rows and records of BenchmarkPeerPostgresStream in
// the repository root, where Debezium and raw franz-go run beside it.
func BenchmarkStreamPerCPU(b *testing.B) {
	const rows = 100000
	conn := pg(b)
	name := uniq("bstream")
	tbl := name + "_t"
	exec(b, conn, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY, label TEXT NOT NULL, qty INT NOT NULL, ts TIMESTAMPTZ NOT NULL DEFAULT now())",
		"INSERT INTO "+tbl+" VALUES (0, repeat('x', 150), 0)")
	dropSlot(b, conn, name)
	cfg := connectorConfig(b, name, "public."+tbl)
	for _, side := range []string{"key", "value"} {
		cfg[side+".converter"], cfg[side+".converter.schemas.enable"] = "org.apache.kafka.connect.json.JsonConverter", "false"
	}
	hs := newHarness(b, cfg)
	hs.DrainAtLeast(100000, 1)
	for lo := 1; lo <= rows; lo += 1000 {
		exec(b, conn, fmt.Sprintf("INSERT INTO %s SELECT g, repeat('x', 150) || g, g FROM generate_series(%d, %d) g", tbl, lo, lo+999))
	}
	oracle.PerChange(b, rows, func() { hs.DrainAtLeast(100000, rows) })
}
