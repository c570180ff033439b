//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium/oracle"
	"github.com/ferryhq/ferry/connectors/mysqlcdc"
	"github.com/ferryhq/ferry/functions"
	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kgo"
)

// txOracleVersion is the version the transaction oracle's private MariaDB
// reports: as oracleVersion, but without "mariadb", which makes Debezium's
// binlog client announce itself as MariaDB-aware: MariaDB then sends its GTID
// events, which MySqlConnector ignores, and it writes no transaction
// metadata at all. Without it MariaDB sends each transaction's BEGIN as
// MySQL writes it, and MySqlConnector reads the transactions as on MySQL
// without GTIDs.
const txOracleVersion = "5.7.19-oracle"

// txOracleTables are the tables of the transaction metadata oracle.
var txOracleTables = []string{"orders", "lines", "audit", "mark", "transaction"}

// txOracleTx are its transactions: multi-table and multi-statement ones, a
// change of a message.key.columns key, a single statement, and one of 9
// changes that ferry's side reads in parts over several invocations.
func txOracleTx(db string) []string {
	big := []string{}
	for i := 0; i < 4; i++ {
		big = append(big, fmt.Sprintf("INSERT INTO %s.lines VALUES (%d, 2, 'b%d')", db, 200+i, i))
		big = append(big, fmt.Sprintf("UPDATE %s.orders SET qty = qty + 1 WHERE id = 2", db))
	}
	big = append(big, "INSERT INTO "+db+".audit VALUES (9, 'big')")
	return []string{
		"INSERT INTO " + db + ".orders VALUES (10, 'k10', 1); INSERT INTO " + db + ".lines VALUES (100, 10, 'x'), (101, 10, 'y'); " +
			"UPDATE " + db + ".orders SET qty = 2 WHERE id = 10; INSERT INTO " + db + ".audit VALUES (1, 'tx one')",
		"UPDATE " + db + ".lines SET sku = 'z' WHERE order_id = 10; DELETE FROM " + db + ".lines WHERE id = 100; INSERT INTO " + db + ".lines VALUES (102, 1, 'w')",
		"UPDATE " + db + ".orders SET code = 'k11' WHERE id = 10; UPDATE " + db + ".orders SET qty = qty + 1",
		"INSERT INTO " + db + ".audit VALUES (2, 'alone')",
		strings.Join(big, "; "),
		"DELETE FROM " + db + ".orders WHERE id = 1; INSERT INTO " + db + ".audit VALUES (3, 'x'); UPDATE " + db + ".audit SET note = 'y' WHERE id = 3",
	}
}

// The transaction metadata oracle on MariaDB: Debezium's MySqlConnector
// (see oracleVersion) with provide.transaction.metadata=true,
// message.key.columns and include.query beside ferry's MySqlConnector,
// which reads the big transaction two changes per invocation (each
// invocation resumes inside it from the offset's counts), and ferry's
// MariaDbConnector; every change record and every record of the
// transaction topic compared.
func TestDebeziumOracleTxMariaDB(t *testing.T) {
	host, port := privateMariaDB(t, "--version="+txOracleVersion, "--binlog-row-image=FULL", "--binlog-row-metadata=FULL",
		"--binlog-annotate-row-events=ON")
	conn := txDial(t, host, port)
	db := uniq("otx")
	exec(t, conn, "CREATE DATABASE "+db,
		"CREATE TABLE "+db+".orders (id INT PRIMARY KEY, code VARCHAR(10) NOT NULL, qty INT)",
		"CREATE TABLE "+db+".lines (id INT PRIMARY KEY, order_id INT, sku VARCHAR(10))",
		"CREATE TABLE "+db+".audit (id INT PRIMARY KEY, note VARCHAR(20))",
		"CREATE TABLE "+db+".mark (id INT PRIMARY KEY)",
		"INSERT INTO "+db+".orders VALUES (1, 'k1', 5), (2, 'k2', 6)", "INSERT INTO "+db+".lines VALUES (1, 1, 'a')")
	seeds := strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")
	kc := oracle.KafkaConnect{T: t, URL: env(t, "KAFKA_CONNECT_URL"), Seeds: seeds}
	mode := map[string]string{"provide.transaction.metadata": "true", "include.query": "true",
		"message.key.columns": db + `.orders:code;` + db + `\.aud.*:note,id`}
	dname, mname, aname := "dbz"+db[3:], "frm"+db[3:], "fra"+db[3:]
	kc.Start(oracleConfig(t, dname, mysqlcdc.MySQLClass, host, port, db, mode, 5700), nil)
	mcfg := oracleConfig(t, mname, mysqlcdc.MySQLClass, host, port, db, mode, 5701)
	mcfg["max.batch.size"] = "2"
	fryM, fryA := newHarness(t, mcfg), newHarness(t, oracleConfig(t, aname, mysqlcdc.MariaDBClass, host, port, db, mode, 5702))
	for _, n := range []string{mname, aname} {
		t.Cleanup(func() { oracle.DeleteTopics(t, seeds, n) })
	}
	side := func(prefix string) oracle.Side { return oracle.NewSide(prefix, db, txOracleTables[:4]).WithTxTopic() }
	dbz, frm, fra := side(dname), side(mname), side(aname)
	c := oracle.NewCollector(t, seeds, append(append(dbz.TopicList(), frm.TopicList()...), fra.TopicList()...))
	oneRecord := func(hs *harness) func() error { // an invocation ends after its first poll
		return func() error {
			if res := hs.Invoke(1); res.State != functions.StateRunning && res.State != functions.StateRetrying {
				return fmt.Errorf("%s: %s", res.State, res.Trace)
			}
			return nil
		}
	}
	snap := map[string]int{"orders": 2, "lines": 1}
	c.InvokeUntil("ferry's snapshots", func() bool { return c.HasCounts(frm, snap) }, fryM.Running)
	c.InvokeUntil("ferry's snapshots", func() bool { return c.HasCounts(fra, snap) }, fryA.Running)
	c.WantCounts(dbz, snap)

	for _, tx := range txOracleTx(db) {
		exec(t, conn, "BEGIN")
		exec(t, conn, strings.Split(tx, "; ")...)
		exec(t, conn, "COMMIT")
	}
	exec(t, conn, "INSERT INTO "+db+".mark VALUES (1)")
	const txs = 7 // the transactions above and the marker's: a BEGIN and an END each
	c.InvokeUntil("ferry's MySqlConnector", func() bool { return len(c.Recs[frm.Topics["transaction"]]) >= 2*txs }, oneRecord(fryM))
	c.InvokeUntil("ferry's MariaDbConnector", func() bool { return len(c.Recs[fra.Topics["transaction"]]) >= 2*txs }, fryA.Running)
	want := c.Counts(frm)
	c.WantCounts(dbz, want)
	c.SettleCounts(fra, want, 5*time.Second)
	c.SettleCounts(dbz, map[string]int{"transaction": 2*txs + 1}, 2*time.Second) // nothing more on Debezium's side

	rules := mysqlRules
	mariaRules := mysqlRules
	mariaRules.Deliberate = map[string]string{
		"value.payload.transaction.id": "MariaDbConnector's transaction id is the MariaDB GTID; MySqlConnector knows none on MariaDB",
		"key.payload.id":               "as transaction.id", "value.payload.id": "as transaction.id",
		"value.payload.source.query":  "MariaDbConnector asks MariaDB for its Annotate_rows events; MySqlConnector reads MySQL's Rows_query events, which MariaDB does not write",
		"value.payload.source.thread": "MariaDbConnector reads MariaDB's GTID events, which carry no thread; MySqlConnector the BEGIN MariaDB sends it instead (thread 0)",
	}
	for k, v := range mysqlRules.Deliberate {
		mariaRules.Deliberate[k] = v
	}
	tally := oracle.NewTally()
	if err := tally.CompareSides(c, rules, dbz, frm, txOracleTables, oracle.TxPhase, "MySqlConnector"); err != nil {
		t.Fatal(err)
	}
	if err := tally.CompareSides(c, mariaRules, dbz, fra, txOracleTables, oracle.TxPhase, "MariaDbConnector"); err != nil {
		t.Fatal(err)
	}
	tally.Check(t, []string{"snapshot", "transactions", "transaction topic"})
	checkMariaDBTx(t, c.Recs[fra.Topics["orders"]], c.Recs[fra.Topics["transaction"]])
}

// checkMariaDBTx checks what only ferry's MariaDbConnector writes: GTID
// transaction ids and the statements of include.query.
func checkMariaDBTx(t *testing.T, orders, txs []*kgo.Record) {
	t.Helper()
	for _, r := range txs {
		if !strings.Contains(string(r.Key), `"id":"0-7-`) {
			t.Errorf("MariaDbConnector's transaction key is not a GTID of server 7: %s", r.Key)
		}
	}
	var queries int
	for _, r := range orders {
		ch, err := oracle.ParseChange(r)
		if err != nil || ch.Payload.Op == "r" || ch.Payload.Source == nil {
			continue
		}
		if q, _ := ch.Payload.Source["query"].(string); strings.HasPrefix(q, "UPDATE ") || strings.HasPrefix(q, "INSERT ") || strings.HasPrefix(q, "DELETE ") {
			queries++
		} else {
			t.Errorf("source.query of a streamed orders change: %q", q)
		}
	}
	if queries == 0 {
		t.Error("no streamed orders change")
	}
}

// txDial connects to the private server as cdc.
func txDial(t *testing.T, host, port string) *client.Conn {
	conn, err := client.Connect(host+":"+port, "cdc", "cdc", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
