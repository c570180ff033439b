//go:build integration

package postgrescdc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/ferryhq/ferry/connectors/debezium/oracle"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The oracle for the kafka signal channel and additional-conditions:
// Debezium's PostgresConnector 3.6.1.Final and ferry's, both streaming,
// each get one execute-snapshot signal keyed by its topic.prefix on the same
// signal topic, after one keyed by neither; both read exactly the rows the
// filter selects, and every read compares equal.
func TestDebeziumOracleKafkaSignalPostgres(t *testing.T) {
	conn := pg(t)
	seeds := strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")
	kc := oracle.KafkaConnect{T: t, URL: env(t, "KAFKA_CONNECT_URL"), Seeds: seeds}
	id := uniq("osig")
	schema, topic := id, "signals-"+id
	exec(t, conn, "CREATE SCHEMA "+schema,
		"CREATE TABLE "+schema+".items (id INT PRIMARY KEY, label TEXT, qty NUMERIC(10,2))",
		"INSERT INTO "+schema+".items SELECT g, 'l'||g, g/4.0 FROM generate_series(1, 120) g",
		"CREATE TABLE "+schema+".sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)")
	t.Cleanup(func() { exec(t, conn, "DROP SCHEMA "+schema+" CASCADE") })
	oracle.SendSignal(t, seeds, topic, "nobody", "n1", debezium.SignalExecuteSnapshot, `{"data-collections": ["`+schema+`.items"]}`)
	t.Cleanup(func() { oracle.DeleteTopics(t, seeds, topic) })
	dname, fname := "dbz"+id[4:], "fry"+id[4:]
	mode := map[string]string{"snapshot.mode": "no_data", "signal.data.collection": schema + ".sig",
		"incremental.snapshot.chunk.size": "20", "signal.enabled.channels": "source,kafka", "signal.kafka.topic": topic,
		"signal.kafka.bootstrap.servers": strings.Join(seeds, ","), "signal.kafka.groupId": "signals-" + dname}
	kc.Start(debeziumConfig(t, dname, schema, mode), func() { dropActiveSlot(conn, dname) })
	dropSlot(t, conn, fname)
	t.Cleanup(func() { oracle.DeleteTopics(t, seeds, fname) })
	mode["signal.kafka.groupId"] = "signals-" + fname
	hs := newHarness(t, debeziumConfig(t, fname, schema, mode))
	if err := hs.Running(); err != nil { // creates ferry's slot
		t.Fatal(err)
	}
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
	data := `{"data-collections": ["` + schema + `.items"], "type": "incremental", "additional-conditions": [` +
		`{"data-collection": "` + strings.ToUpper(schema) + `.ITEMS", "filter": "id % 3 = 0 AND label <> 'l9'"}]}`
	oracle.SendSignal(t, seeds, topic, dname, "k1", debezium.SignalExecuteSnapshot, data)
	oracle.SendSignal(t, seeds, topic, fname, "k1", debezium.SignalExecuteSnapshot, data)
	dbz, fry := oracle.NewSide(dname, schema, []string{"items"}), oracle.NewSide(fname, schema, []string{"items"})
	c := oracle.NewCollector(t, seeds, []string{dbz.Topics["items"], fry.Topics["items"]})
	want := map[string]int{"items": 39}
	c.InvokeUntil("ferry's incremental snapshot", func() bool { return c.HasCounts(fry, want) }, hs.Running)
	c.WantCounts(dbz, want)
	if err := hs.Running(); err != nil { // and once more: nothing beyond the filter
		t.Fatal(err)
	}
	for _, side := range []oracle.Side{dbz, fry} {
		if got := c.Counts(side); got["items"] != 39 {
			t.Fatalf("%s read %v, want only the 39 rows the filter selects", side.Prefix, got)
		}
	}
	tally := oracle.NewTally()
	phase := func(*kgo.Record) string { return "kafka signal, additional-conditions" }
	if err := tally.CompareSides(c, pgRules, dbz, fry, []string{"items"}, phase, "no_data"); err != nil {
		t.Fatal(err)
	}
	tally.Check(t, []string{"kafka signal, additional-conditions"})
}
