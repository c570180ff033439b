//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/go-mysql-org/go-mysql/client"
)

// masterStatus is the server's binlog position and GTID position now.
func masterStatus(t *testing.T, conn *client.Conn) (string, int64, string) {
	t.Helper()
	res, err := conn.Execute("SHOW MASTER STATUS")
	if err != nil {
		t.Fatal(err)
	}
	file, _ := res.GetString(0, 0)
	pos, _ := res.GetInt(0, 1)
	g, err := conn.Execute("SELECT @@gtid_binlog_pos")
	if err != nil {
		t.Fatal(err)
	}
	gtids, _ := g.GetString(0, 0)
	return file, pos, gtids
}

// TestDebeziumOffset starts from an offset as Debezium's MariaDB connector
// commits it between transactions ({file, pos, gtids, server_id, ts_sec},
// no snapshot key: the snapshot is done): no snapshot is taken and exactly
// the changes after the position are streamed.
func TestDebeziumOffset(t *testing.T) {
	conn := db(t)
	name := uniq("dbzoff")
	exec(t, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, v INT)", "INSERT INTO "+name+" VALUES (1, 1), (2, 2)")
	file, pos, gtids := masterStatus(t, conn)
	exec(t, conn, "INSERT INTO "+name+" VALUES (3, 3)", "UPDATE "+name+" SET v = 20 WHERE id = 2", "DELETE FROM "+name+" WHERE id = 1")
	hs := newHarness(t, connectorConfig(t, name, name))
	commitOffset(t, hs, name, map[string]any{"transaction_id": nil, "ts_sec": time.Now().Unix(), "file": file, "pos": pos,
		"gtids": gtids, "server_id": 1})
	hs.DrainAtLeast(100, 4) // c, u, d and the tombstone
	msgs := consume(t, name+"."+mariadb(t).db+"."+name, 4, 20*time.Second)
	var ops []string
	for _, m := range msgs {
		if m.Value == nil {
			ops = append(ops, "tombstone")
			continue
		}
		p := sourcetest.Payload(m.Value)
		ops = append(ops, fmt.Sprint(p["op"]))
	}
	if fmt.Sprint(ops) != "[c u d tombstone]" {
		t.Fatalf("ops %v, want [c u d tombstone] (no snapshot, nothing before the offset)", ops)
	}
	src := sourcetest.Payload(msgs[0].Value)["source"].(map[string]any)
	if src["file"] != file || src["gtid"] == nil || src["snapshot"] != "false" {
		t.Errorf("source %v", src)
	}
}

// TestRestartMidTransaction stops invocations inside a 3,000-row
// transaction (max records 1,000): each next invocation resumes from the
// committed {file, pos, event, row} offset, with no row lost or repeated.
func TestRestartMidTransaction(t *testing.T) {
	name, hs := streamingTable(t, "midtx", "100")
	var stmts []string
	var want []string
	stmts = append(stmts, "BEGIN")
	for lo := 1; lo <= 3000; lo += 300 {
		var vals string
		for id := lo; id < lo+300; id++ {
			if vals != "" {
				vals += ","
			}
			vals += fmt.Sprintf("(%d,%d,'p')", id, id)
			want = append(want, fmt.Sprintf("c/%d/%d", id, id))
		}
		stmts = append(stmts, "INSERT INTO "+name+" VALUES "+vals)
	}
	stmts = append(stmts, "COMMIT")
	exec(t, db(t), stmts...)
	var read int64
	invocations := 0
	for deadline := time.Now().Add(60 * time.Second); read < 3000; invocations++ {
		if time.Now().After(deadline) {
			t.Fatalf("read %d of 3000", read)
		}
		res := hs.Invoke(1000)
		read += res.Read
	}
	got := consume(t, name+"."+mariadb(t).db+"."+name, 3000, 20*time.Second)
	if len(got) != 3000 {
		t.Fatalf("%d records, want 3000", len(got))
	}
	for i, m := range got {
		if k := changeKey(m); k != want[i] {
			t.Fatalf("record %d is %s, want %s", i, k, want[i])
		}
	}
	if invocations < 3 {
		t.Fatalf("the transaction was read in %d invocation(s): no restart inside it was tested", invocations)
	}
	t.Logf("3,000-row transaction read in %d invocations", invocations)
}
