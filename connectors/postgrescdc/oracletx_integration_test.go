//go:build integration

package postgrescdc_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium/oracle"
)

// txOracleSteps are the transactions of the transaction metadata oracle:
// multi-table and multi-statement ones, a change of a message.key.columns
// key, and single statements. Elements with "; " run as one transaction.
func txOracleSteps(s string) []oracleStep {
	return []oracleStep{{"transactions", []string{
		"INSERT INTO " + s + ".orders VALUES (10, 'k10', 1); INSERT INTO " + s + ".lines VALUES (100, 10, 'x'), (101, 10, 'y'); " +
			"UPDATE " + s + ".orders SET qty = 2 WHERE id = 10; INSERT INTO " + s + ".audit VALUES (1, 'tx one')",
		"UPDATE " + s + ".lines SET sku = 'z' WHERE order_id = 10; DELETE FROM " + s + ".lines WHERE id = 100; INSERT INTO " + s + ".lines VALUES (102, 1, 'w')",
		"UPDATE " + s + ".orders SET code = 'k11' WHERE id = 10; UPDATE " + s + ".orders SET qty = qty + 1", // key change on the message key
		"INSERT INTO " + s + ".audit VALUES (2, 'alone')",
		"DELETE FROM " + s + ".orders WHERE id = 1; INSERT INTO " + s + ".audit VALUES (3, 'x'); UPDATE " + s + ".audit SET note = 'y' WHERE id = 3; " +
			"INSERT INTO " + s + ".lines VALUES (103, 2, 'v')",
	}}}
}

// The transaction metadata oracle: Debezium's PostgresConnector and
// ferry's with provide.transaction.metadata=true and message.key.columns,
// side by side on the same tables; every change record (its transaction
// block included) and every record of the transaction topic compared.
func TestDebeziumOracleTxPostgres(t *testing.T) {
	conn := pg(t)
	seeds := strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")
	kc := oracle.KafkaConnect{T: t, URL: env(t, "KAFKA_CONNECT_URL"), Seeds: seeds}
	id := uniq("otx")
	s := id
	exec(t, conn, "CREATE SCHEMA "+s,
		"CREATE TABLE "+s+".orders (id INT PRIMARY KEY, code TEXT NOT NULL, qty INT)",
		"CREATE TABLE "+s+".lines (id INT PRIMARY KEY, order_id INT, sku TEXT)",
		"CREATE TABLE "+s+".audit (id INT PRIMARY KEY, note TEXT)",
		"CREATE TABLE "+s+".mark (id INT PRIMARY KEY)",
		"INSERT INTO "+s+".orders VALUES (1, 'k1', 5), (2, 'k2', 6)", "INSERT INTO "+s+".lines VALUES (1, 1, 'a')")
	t.Cleanup(func() { exec(t, conn, "DROP SCHEMA "+s+" CASCADE") })
	tables := []string{"orders", "lines", "audit", "mark", "transaction"}
	mode := map[string]string{"provide.transaction.metadata": "true", "message.key.columns": s + `.orders:code;` + s + `\.aud.*:note,id`}

	dname, fname := "dbz"+id[3:], "fry"+id[3:]
	kc.Start(debeziumConfig(t, dname, s, mode), func() { dropActiveSlot(conn, dname) })
	dropSlot(t, conn, fname)
	t.Cleanup(func() { oracle.DeleteTopics(t, seeds, fname) })
	p := &oraclePair{mode: mode, dbz: oracle.NewSide(dname, s, tables[:4]).WithTxTopic(), fry: oracle.NewSide(fname, s, tables[:4]).WithTxTopic(), hs: newHarness(t, debeziumConfig(t, fname, s, mode))}
	c := oracle.NewCollector(t, seeds, append(p.dbz.TopicList(), p.fry.TopicList()...))
	snap := map[string]int{"orders": 2, "lines": 1}
	c.InvokeUntil("ferry's snapshot", func() bool { return c.HasCounts(p.fry, snap) }, p.hs.Running)
	c.WantCounts(p.dbz, snap)

	st := txOracleSteps(s)[0]
	runSteps(t, conn, st)
	exec(t, conn, "INSERT INTO "+s+".mark VALUES (1)")
	c.InvokeUntilMarker(p.fry, 1, p.hs.Running)
	// ferry's END of the marker's transaction follows its row in the batch.
	c.InvokeUntil("ferry's last END", func() bool { return len(c.Recs[p.fry.Topics["transaction"]]) >= 12 }, p.hs.Running)
	want := c.Counts(p.fry)
	c.WantCounts(p.dbz, want)
	c.SettleCounts(p.dbz, map[string]int{"transaction": want["transaction"] + 1}, 2*time.Second) // nothing more on Debezium's side
	tally := oracle.NewTally()
	if err := tally.CompareSides(c, pgRules, p.dbz, p.fry, tables, oracle.TxPhase, "tx"); err != nil {
		t.Fatal(err)
	}
	tally.Check(t, []string{"snapshot", "transactions", "transaction topic"})
}
