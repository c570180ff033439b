//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"testing"
	"time"
)

// TestSnapshotThenStream snapshots a table, then streams inserts, updates
// and deletes with tombstones, in commit order.
func TestSnapshotThenStream(t *testing.T) {
	conn := db(t)
	name := uniq("cdc")
	exec(t, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL DEFAULT 'x', n INT NULL)",
		"INSERT INTO "+name+" VALUES (1, 'a', 10), (2, 'b', NULL)")
	hs := newHarness(t, connectorConfig(t, name, name))
	hs.drainAtLeast(100, 2)
	exec(t, conn, "INSERT INTO "+name+" VALUES (3, 'c', 30)", "UPDATE "+name+" SET v = 'bb' WHERE id = 2",
		"DELETE FROM "+name+" WHERE id = 1")
	hs.drainAtLeast(100, 4)
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
		ops = append(ops, fmt.Sprint(payload(m.Value)["op"]))
	}
	if fmt.Sprint(ops) != "[r r c u d tombstone]" {
		t.Fatalf("ops %v\nfirst: %s\nlast: %s", ops, msgs[0].Raw, msgs[4].Raw)
	}
	t.Logf("%s", msgs[3].Raw)
}
