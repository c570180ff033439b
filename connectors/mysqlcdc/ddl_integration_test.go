//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/go-mysql-org/go-mysql/client"
)

// fieldNames lists the after fields of a change event's value schema.
func fieldNames(m sourcetest.Message) string {
	var names []string
	for k := range sourcetest.Payload(m.Value)["after"].(map[string]any) {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

// TestDDLMidStream adds, renames and drops columns between inserts that
// the connector reads only afterwards: each row comes with the columns it
// was written with, and each DDL is a schema change event.
func TestDDLMidStream(t *testing.T) {
	conn := db(t)
	name := uniq("ddl")
	exec(t, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, a VARCHAR(10), b INT)", "INSERT INTO "+name+" VALUES (1, 'one', 1)")
	hs := newHarness(t, connectorConfig(t, name, name))
	hs.DrainAtLeast(100, 2) // the row and the CREATE TABLE
	exec(t, conn,
		"INSERT INTO "+name+" VALUES (2, 'two', 2)",
		"ALTER TABLE "+name+" ADD COLUMN c INT",
		"INSERT INTO "+name+" VALUES (3, 'three', 3, 33)",
		"ALTER TABLE "+name+" RENAME COLUMN a TO a2",
		"INSERT INTO "+name+" VALUES (4, 'four', 4, 44)",
		"ALTER TABLE "+name+" DROP COLUMN b",
		"INSERT INTO "+name+" VALUES (5, 'five', 55)",
		"UPDATE "+name+" SET a2 = 'uno' WHERE id = 1")
	hs.DrainAtLeast(100, 8)
	msgs := consume(t, name+"."+mariadb(t).db+"."+name, 6, 20*time.Second)
	if len(msgs) != 6 {
		t.Fatalf("got %d records, want 6", len(msgs))
	}
	want := []string{"a,b,id", "a,b,id", "a,b,c,id", "a2,b,c,id", "a2,c,id", "a2,c,id"}
	for i, m := range msgs {
		if got := fieldNames(m); got != want[i] {
			t.Errorf("record %d: fields %s, want %s: %s", i, got, want[i], m.Raw)
		}
	}
	if after := sourcetest.Payload(msgs[4].Value)["after"].(map[string]any); after["a2"] != "five" || fmt.Sprint(after["c"]) != "55" {
		t.Errorf("row 5 = %v", after)
	}
	// Debezium's schema snapshot (SET, DROP TABLE, DROP/CREATE DATABASE, USE,
	// CREATE TABLE), then the three ALTERs.
	changes := consume(t, name, 9, 20*time.Second)
	var ddls []string
	for _, m := range changes {
		ddls = append(ddls, strings.Fields(fmt.Sprint(sourcetest.Payload(m.Value)["ddl"]))[0])
	}
	if fmt.Sprint(ddls) != "[SET DROP DROP CREATE USE CREATE ALTER ALTER ALTER]" {
		t.Fatalf("schema changes %v", ddls)
	}
	last := sourcetest.Payload(changes[8].Value)["tableChanges"].([]any)[0].(map[string]any)["table"].(map[string]any)
	if cols := last["columns"].([]any); len(cols) != 3 {
		t.Errorf("after DROP COLUMN the table has %d columns, want 3", len(cols))
	}
}

// TestHistoryAfterRestart: with binlog_row_metadata=MINIMAL the binlog does
// not name columns; a task restarted before a DROP COLUMN reads the rows
// written before it with the dropped column, from the schema history topic.
func TestHistoryAfterRestart(t *testing.T) {
	host, port := privateMariaDB(t)
	admin, err := client.Connect(host+":"+port, "cdc", "cdc", "d")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	exec(t, admin, "SET GLOBAL binlog_row_metadata = 'MINIMAL'", "CREATE TABLE h (id INT PRIMARY KEY, a VARCHAR(10), b INT)",
		"INSERT INTO h VALUES (1, 'one', 1)")
	name := uniq("hist")
	cfg := connectorConfig(t, name, "h")
	cfg["database.hostname"], cfg["database.port"], cfg["database.user"], cfg["database.password"] = host, port, "cdc", "cdc"
	cfg["database.include.list"], cfg["table.include.list"] = "d", "d.h"
	hs := newHarness(t, cfg)
	hs.DrainAtLeast(100, 2) // the snapshot's row and CREATE TABLE
	exec(t, admin, "INSERT INTO h VALUES (2, 'two', 2)", "ALTER TABLE h DROP COLUMN b", "INSERT INTO h VALUES (3, 'three')")
	restarted := newHarnessOn(t, cfg, hs.Store) // a new worker: only the offsets and the history carry over
	restarted.DrainAtLeast(100, 3)
	msgs := consume(t, name+".d.h", 3, 20*time.Second)
	want := []string{"a,b,id", "a,b,id", "a,id"}
	if len(msgs) != 3 {
		t.Fatalf("%d records, want 3", len(msgs))
	}
	for i, m := range msgs {
		if got := fieldNames(m); got != want[i] {
			t.Errorf("record %d: fields %s, want %s: %s", i, got, want[i], m.Raw)
		}
	}
}

// TestRecoveryMode: with the schema history lost (a new, empty history
// topic) and snapshot.mode=recovery, the connector rebuilds the history from
// today's definitions at its offset and goes on streaming; without an
// offset, recovery is refused with what to set.
func TestRecoveryMode(t *testing.T) {
	conn := db(t)
	name := uniq("recov")
	exec(t, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, v INT)", "INSERT INTO "+name+" VALUES (1, 1)")
	cfg := connectorConfig(t, name, name)
	hs := newHarness(t, cfg)
	hs.DrainAtLeast(100, 2)
	exec(t, conn, "INSERT INTO "+name+" VALUES (2, 2)")
	lost := map[string]string{}
	for k, v := range cfg {
		lost[k] = v
	}
	lost["schema.history.internal.kafka.topic"] = "schemahistory.lost." + name
	lost["snapshot.mode"] = "schema_only_recovery"
	recovered := newHarnessOn(t, lost, hs.Store)
	recovered.DrainAtLeast(100, 2) // the row and the rebuilt definitions' schema changes
	if hist := consume(t, "schemahistory.lost."+name, 1, 20*time.Second); len(hist) == 0 {
		t.Fatal("the lost history was not rebuilt")
	}
	if msgs := consume(t, name+"."+mariadb(t).db+"."+name, 2, 20*time.Second); len(msgs) != 2 {
		t.Fatalf("%d records, want the snapshot's and the streamed row", len(msgs))
	}
	fresh := map[string]string{}
	for k, v := range lost {
		fresh[k] = v
	}
	fresh["name"], fresh["topic.prefix"] = name+"_new", name+"_new"
	failed(t, newHarness(t, fresh), "snapshot.mode=recovery", "snapshot.mode=initial")
}
