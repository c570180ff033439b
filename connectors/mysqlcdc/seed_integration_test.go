//go:build integration

package mysqlcdc_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/mysqlcdc"
	"github.com/ferryhq/ferry/functions/sourcetest"
)

// seedConnector is the MySQL connector JSON of Debezium 1.x's tutorial, as
// the seeds use it: only the hosts, credentials, database and names are
// rewritten for the local stack.
const seedConnector = `{
  "name": "inventory-connector",
  "config": {
    "connector.class": "io.debezium.connector.mysql.MySqlConnector",
    "tasks.max": "1",
    "database.hostname": "mysql",
    "database.port": "3306",
    "database.user": "debezium",
    "database.password": "dbz",
    "database.server.id": "184054",
    "database.server.name": "dbserver1",
    "database.include.list": "inventory",
    "table.include.list": "inventory.customers",
    "database.history.kafka.bootstrap.servers": "kafka:9092",
    "database.history.kafka.topic": "dbhistory.inventory",
    "snapshot.mode": "initial",
    "include.schema.changes": "true",
    "time.precision.mode": "connect",
    "decimal.handling.mode": "string"
  }
}`

// TestSeedConnectorJSON runs the seed's MySqlConnector config unchanged but
// for its hosts (against MariaDB): snapshot, streaming, the 1.x names
// database.server.name and database.history.kafka.* honoured.
func TestSeedConnectorJSON(t *testing.T) {
	conn := db(t)
	s := mariadb(t)
	name := uniq("seed")
	table := name + "_customers"
	exec(t, conn, "CREATE TABLE "+table+" (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL, balance DECIMAL(10,2), born DATE)",
		"INSERT INTO "+table+" VALUES (1001, 'sally@example.com', 12.50, '1990-05-01')")
	var seed struct {
		Name   string            `json:"name"`
		Config map[string]string `json:"config"`
	}
	if err := json.Unmarshal([]byte(seedConnector), &seed); err != nil {
		t.Fatal(err)
	}
	cfg := seed.Config
	for k, v := range map[string]string{"database.hostname": s.host, "database.port": s.port, "database.user": s.user,
		"database.password": s.password, "database.server.name": name, "database.include.list": s.db,
		"table.include.list": s.db + "." + table, "database.history.kafka.bootstrap.servers": env(t, "KAFKA_BOOTSTRAP_SERVERS"),
		"database.history.kafka.topic": "dbhistory." + name} {
		cfg[k] = v
	}
	cfg["name"] = name
	if cfg["connector.class"] != mysqlcdc.MySQLClass {
		t.Fatal(cfg["connector.class"])
	}
	hs := newHarness(t, cfg)
	hs.DrainAtLeast(100, 2)
	exec(t, conn, "UPDATE "+table+" SET balance = 99.99 WHERE id = 1001")
	hs.DrainAtLeast(100, 1)
	// More transactions, each resumed from an offset that carries GTIDs:
	// MariaDB sends this MySQL-flavoured reader a dummy query for each
	// annotation, which once ended the transaction before its rows (the
	// offset then pointed past the table map and the next invocation failed).
	for i := 0; i < 3; i++ {
		exec(t, conn, fmt.Sprintf("UPDATE %s SET email = 'sally%d@example.com' WHERE id = 1001", table, i))
		hs.DrainAtLeast(100, 1)
	}
	msgs := consume(t, name+"."+s.db+"."+table, 5, 20*time.Second)
	if len(msgs) != 5 {
		t.Fatalf("%d records, want 5 (the snapshot's and 4 updates)", len(msgs))
	}
	if after := sourcetest.Payload(msgs[4].Value)["after"].(map[string]any); after["email"] != "sally2@example.com" {
		t.Errorf("last update: %s", msgs[4].Raw)
	}
	after := sourcetest.Payload(msgs[1].Value)["after"].(map[string]any)
	if after["balance"] != "99.99" || fmt.Sprint(sourcetest.Payload(msgs[1].Value)["op"]) != "u" {
		t.Errorf("update: %s", msgs[1].Raw)
	}
	if !strings.Contains(string(msgs[0].Raw), `"name":"org.apache.kafka.connect.data.Date"`) {
		t.Errorf("time.precision.mode=connect: born is not a Connect Date: %s", msgs[0].Raw)
	}
	if src := sourcetest.Payload(msgs[1].Value)["source"].(map[string]any); src["connector"] != "mysql" || src["name"] != name {
		t.Errorf("source %v", src)
	}
	// The whole history topic (a fetch may hold only part of it), with the
	// captured table's CREATE TABLE somewhere in it (other tests' DDL in the
	// shared database may come after it).
	hist := consume(t, "dbhistory."+name, endOffsetOrZero(t, "dbhistory."+name), 20*time.Second)
	if !slices.ContainsFunc(hist, func(m sourcetest.Message) bool {
		return strings.Contains(string(m.Raw), "CREATE TABLE") && strings.Contains(string(m.Raw), table)
	}) {
		t.Errorf("history topic: %d records, none with CREATE TABLE %s", len(hist), table)
	}
	// Debezium's schema snapshot: SET, DROP TABLE, DROP/CREATE DATABASE, USE, CREATE TABLE.
	// (Other tests' DDL in the shared database may follow: the database is captured.)
	if changes := consume(t, name, 6, 20*time.Second); len(changes) < 6 || !strings.HasPrefix(fmt.Sprint(sourcetest.Payload(changes[5].Value)["ddl"]), "CREATE TABLE") {
		t.Errorf("schema change topic %s: %d records, want the schema snapshot ending with CREATE TABLE", name, len(changes))
	}
}
