//go:build integration

package postgrescdc_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium/oracle"
	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kgo"
)

// pgRules: what the PostgreSQL comparison leaves out, and the differences
// ferry keeps on purpose (each listed in docs/connectors.md).
var pgRules = oracle.Rules{
	SourceSkip:       []string{"ts_ms", "ts_us", "ts_ns", "name"},
	SnapshotPosition: []string{"lsn", "txId", "sequence"}, // each connector's own slot and snapshot
	Deliberate: map[string]string{
		"value.payload.source.version": "ferry's version, not Debezium's",
		"value.payload.after.c_name":   "Debezium 3.6.1 writes null for every value of a name column; ferry writes the value",
		"value.payload.before.c_name":  "as after.c_name",
	},
}

// oraclePair is one mode captured by Debezium and by ferry.
type oraclePair struct {
	mode     map[string]string
	dbz, fry oracle.Side
	hs       *harness
}

// The oracle: the same tables, snapshot and changes captured by Debezium's
// PostgresConnector 3.6.1.Final in the reference Kafka Connect and by
// ferry's connector, into separate topics; every record compared (key,
// value, both schemas, the source block less timing and instance fields).
func TestDebeziumOraclePostgres(t *testing.T) {
	conn := pg(t)
	seeds := strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")
	kc := oracle.KafkaConnect{T: t, URL: env(t, "KAFKA_CONNECT_URL"), Seeds: seeds}
	id := uniq("orc")
	schema := id
	exec(t, conn, oracleTables(schema)...)
	exec(t, conn, "CREATE TABLE "+schema+".mark (id INT PRIMARY KEY)")
	t.Cleanup(func() { exec(t, conn, "DROP SCHEMA "+schema+" CASCADE") })
	tables := append(oracleTableNames, "mark")

	var pairs []*oraclePair
	var topics []string
	for i, mode := range oracleModes {
		dname, fname := fmt.Sprintf("dbz%s_%d", id[3:], i), fmt.Sprintf("fry%s_%d", id[3:], i)
		kc.Start(debeziumConfig(t, dname, schema, mode), func() { dropActiveSlot(conn, dname) })
		dropSlot(t, conn, fname)
		t.Cleanup(func() { oracle.DeleteTopics(t, seeds, fname) })
		p := &oraclePair{mode: mode, dbz: oracle.NewSide(dname, schema, tables), fry: oracle.NewSide(fname, schema, tables),
			hs: newHarness(t, debeziumConfig(t, fname, schema, mode))}
		pairs = append(pairs, p)
		for _, s := range []oracle.Side{p.dbz, p.fry} {
			for _, tp := range s.Topics {
				topics = append(topics, tp)
			}
		}
	}
	c := oracle.NewCollector(t, seeds, topics)

	// Snapshot: ferry's runs to its end, Debezium's must too before any change.
	for _, p := range pairs {
		c.InvokeUntil("ferry's snapshot", func() bool { return c.HasCounts(p.fry, oracleSnapshotCounts) }, p.hs.Running)
		c.WantCounts(p.dbz, oracleSnapshotCounts)
	}
	// Each step, then a marker row: ferry is invoked until its marker is
	// in Kafka. The WAL position after the marker ends the step's phase.
	steps := oracleSteps(schema)
	var ends []uint64
	for k, st := range steps {
		runSteps(t, conn, st)
		exec(t, conn, fmt.Sprintf("INSERT INTO %s.mark VALUES (%d)", schema, k+1))
		var end uint64
		if err := conn.QueryRow(context.Background(), "SELECT pg_current_wal_insert_lsn() - '0/0'").Scan(&end); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, end)
		for _, p := range pairs {
			c.InvokeUntilMarker(p.fry, k+1, p.hs.Running)
		}
	}
	phase := func(r *kgo.Record) string {
		ch, err := oracle.ParseChange(r)
		if err != nil || ch.Payload.Op == "r" {
			return "snapshot"
		}
		lsn, _ := ch.Payload.Source["lsn"].(float64)
		for k, end := range ends {
			if uint64(lsn) < end { // end is where the next WAL record goes
				return steps[k].phase
			}
		}
		return "after the last step"
	}
	phases := []string{"snapshot"}
	for _, st := range steps {
		phases = append(phases, st.phase)
	}
	tally := oracle.NewTally()
	for _, p := range pairs {
		c.WantCounts(p.fry, oracleCounts)
		c.WantCounts(p.dbz, oracleCounts)
		if err := tally.CompareSides(c, pgRules, p.dbz, p.fry, tables, phase, p.mode["decimal.handling.mode"]); err != nil {
			t.Fatal(err)
		}
	}
	tally.Check(t, phases)
}

// dropActiveSlot drops a slot and publication once their consumer is gone,
// ending the consumer's backend if it lingers.
func dropActiveSlot(conn *pgx.Conn, name string) {
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		conn.Exec(ctx, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active", name)
		if _, err := conn.Exec(ctx, "SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1", name); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	conn.Exec(ctx, "DROP PUBLICATION IF EXISTS "+name)
}

// debeziumConfig is the PostgresConnector config for name with the given
// modes, capturing every table of schema, written with JsonConverter.
func debeziumConfig(t *testing.T, name, schema string, mode map[string]string) map[string]string {
	cfg := connectorConfig(t, name, schema+`\..*`)
	for k, v := range mode {
		cfg[k] = v
	}
	for k, v := range oracle.JSONConverters {
		cfg[k] = v
	}
	return cfg
}
