//go:build integration

package postgrescdc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium/oracle"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The oracle for incremental snapshots: Debezium's PostgresConnector
// 3.6.1.Final and ferry's, both streaming (snapshot.mode=no_data) with the
// same signalling table, read the same table after one execute-snapshot
// row; every read event is compared (source position fields aside: each
// connector reads at its own watermarks).
func TestDebeziumOracleIncrementalPostgres(t *testing.T) {
	conn := pg(t)
	seeds := strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")
	kc := oracle.KafkaConnect{T: t, URL: env(t, "KAFKA_CONNECT_URL"), Seeds: seeds}
	id := uniq("oinc")
	schema := id
	exec(t, conn, "CREATE SCHEMA "+schema,
		"CREATE TABLE "+schema+".items (id INT PRIMARY KEY, label TEXT, qty NUMERIC(10,2), at TIMESTAMPTZ)",
		"INSERT INTO "+schema+".items SELECT g, 'l'||g, g/4.0, '2026-01-01'::timestamptz + g * interval '1 hour' FROM generate_series(1, 250) g",
		"CREATE TABLE "+schema+".sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)")
	t.Cleanup(func() { exec(t, conn, "DROP SCHEMA "+schema+" CASCADE") })
	mode := map[string]string{"snapshot.mode": "no_data", "signal.data.collection": schema + ".sig",
		"incremental.snapshot.chunk.size": "100"}
	dname, fname := "dbz"+id[4:], "fry"+id[4:]
	kc.Start(debeziumConfig(t, dname, schema, mode), func() { dropActiveSlot(conn, dname) })
	dropSlot(t, conn, fname)
	t.Cleanup(func() { oracle.DeleteTopics(t, seeds, fname) })
	hs := newHarness(t, debeziumConfig(t, fname, schema, mode))
	if err := hs.Running(); err != nil { // creates ferry's slot
		t.Fatal(err)
	}
	// Debezium's slot must exist before the signal, or it never sees it.
	for deadline := time.Now().Add(oracle.Wait); ; time.Sleep(100 * time.Millisecond) {
		var active bool
		_ = conn.QueryRow(context.Background(), "SELECT active FROM pg_replication_slots WHERE slot_name = $1", dname).Scan(&active)
		if active {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Debezium's slot %s is not streaming", dname)
		}
	}
	exec(t, conn, "INSERT INTO "+schema+`.sig VALUES ('adhoc', 'execute-snapshot', '{"data-collections": ["`+schema+`.items"], "type": "incremental"}')`)
	dbz, fry := oracle.NewSide(dname, schema, []string{"items"}), oracle.NewSide(fname, schema, []string{"items"})
	c := oracle.NewCollector(t, seeds, []string{dbz.Topics["items"], fry.Topics["items"]})
	want := map[string]int{"items": 250}
	c.InvokeUntil("ferry's incremental snapshot", func() bool { return c.HasCounts(fry, want) }, hs.Running)
	c.WantCounts(dbz, want)
	tally := oracle.NewTally()
	phase := func(*kgo.Record) string { return "incremental" }
	if err := tally.CompareSides(c, pgRules, dbz, fry, []string{"items"}, phase, "no_data"); err != nil {
		t.Fatal(err)
	}
	tally.Check(t, []string{"incremental"})
}
