//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sourcetest"
)

// TestSnapshotThenStream snapshots a table, then streams inserts, updates
// and deletes with tombstones, in commit order; column.exclude.list leaves
// its column out of both.
func TestSnapshotThenStream(t *testing.T) {
	conn := db(t)
	name := uniq("cdc")
	exec(t, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL DEFAULT 'x', n INT NULL)",
		"INSERT INTO "+name+" VALUES (1, 'a', 10), (2, 'b', NULL)")
	cfg := connectorConfig(t, name, name)
	cfg["column.exclude.list"] = mariadb(t).db + "." + name + ".n"
	hs := newHarness(t, cfg)
	hs.DrainAtLeast(100, 2)
	exec(t, conn, "INSERT INTO "+name+" VALUES (3, 'c', 30)", "UPDATE "+name+" SET v = 'bb' WHERE id = 2",
		"DELETE FROM "+name+" WHERE id = 1")
	hs.DrainAtLeast(100, 4)
	topic := name + "." + mariadb(t).db + "." + name
	msgs := consume(t, topic, 6, 20*time.Second)
	if len(msgs) != 6 {
		t.Fatalf("got %d records, want 6", len(msgs))
	}
	var ops []string
	for _, m := range msgs {
		if m.Value == nil {
			ops = append(ops, "tombstone")
			continue
		}
		ops = append(ops, fmt.Sprint(sourcetest.Payload(m.Value)["op"]))
	}
	if fmt.Sprint(ops) != "[r r c u d tombstone]" {
		t.Fatalf("ops %v\nfirst: %s\nlast: %s", ops, msgs[0].Raw, msgs[4].Raw)
	}
	for _, i := range []int{0, 2} {
		if got := fieldNames(msgs[i]); got != "id,v" {
			t.Errorf("record %d has fields %s, want id,v (n excluded)", i, got)
		}
	}
	var marks []string
	for _, m := range msgs[:2] {
		marks = append(marks, fmt.Sprint(sourcetest.Payload(m.Value)["source"].(map[string]any)["snapshot"]))
	}
	if fmt.Sprint(marks) != "[first last]" {
		t.Errorf("source.snapshot of the snapshot records %v, want [first last]", marks)
	}
}

// TestCompositeKey: key fields follow the primary key's order, not the
// columns'; the snapshot reads in that order across chunks.
func TestCompositeKey(t *testing.T) {
	conn := db(t)
	name := uniq("ckey")
	exec(t, conn, "CREATE TABLE "+name+" (a INT, b VARCHAR(5), v INT, PRIMARY KEY (b, a))",
		"INSERT INTO "+name+" VALUES (2, 'x', 1), (1, 'y', 2), (1, 'x', 3)")
	cfg := connectorConfig(t, name, name)
	cfg["snapshot.fetch.size"] = "1"
	hs := newHarness(t, cfg)
	hs.DrainAtLeast(100, 4)
	msgs := consume(t, name+"."+mariadb(t).db+"."+name, 3, 20*time.Second)
	var keys []string
	for _, m := range msgs {
		fields := m.Key["schema"].(map[string]any)["fields"].([]any)
		keys = append(keys, fmt.Sprintf("%s,%s=%v", fields[0].(map[string]any)["field"], fields[1].(map[string]any)["field"], sourcetest.Payload(m.Key)))
	}
	if want := "[b,a=map[a:1 b:x] b,a=map[a:2 b:x] b,a=map[a:1 b:y]]"; fmt.Sprint(keys) != want {
		t.Fatalf("keys %v, want %s", keys, want)
	}
}

// TestSnapshotResumesAfterSchemaEvents: an invocation that ends right after
// the schema snapshot's events (max records 1) resumes the snapshot: every
// row is read, none skipped by a streaming offset.
func TestSnapshotResumesAfterSchemaEvents(t *testing.T) {
	conn := db(t)
	name := uniq("resume")
	exec(t, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY)", "INSERT INTO "+name+" VALUES (1), (2), (3)")
	hs := newHarness(t, connectorConfig(t, name, name))
	if res := hs.Invoke(1); res.Read == 0 || res.Read > 6 {
		t.Fatalf("first invocation read %d records, want the schema events only", res.Read)
	}
	hs.DrainAtLeast(100, 3)
	if msgs := consume(t, name+"."+mariadb(t).db+"."+name, 3, 20*time.Second); len(msgs) != 3 {
		t.Fatalf("%d snapshot records, want 3", len(msgs))
	}
}
