//go:build integration

package mysqlcdc_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/go-mysql-org/go-mysql/client"
)

// privateGTIDServer is a private MariaDB (the test purges and resets its
// binlog) with its admin connection and a connector config capturing d.t.
func privateGTIDServer(t *testing.T, name string) (*client.Conn, map[string]string) {
	t.Helper()
	host, port := privateMariaDB(t)
	admin, err := client.Connect(host+":"+port, "cdc", "cdc", "d")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	cfg := connectorConfig(t, name, "t")
	cfg["database.hostname"], cfg["database.port"], cfg["database.user"], cfg["database.password"] = host, port, "cdc", "cdc"
	cfg["database.include.list"], cfg["table.include.list"] = "d", "d.t"
	return admin, cfg
}

// createdIDs reads the ids of the c events among the n records of topic,
// sorted; the topic must hold no more than n.
func createdIDs(t *testing.T, topic string, n int) []string {
	t.Helper()
	if got := endOffsetOrZero(t, topic); got != n {
		t.Fatalf("%s holds %d records, want %d", topic, got, n)
	}
	var ids []string
	for _, m := range consume(t, topic, n, 20*time.Second) {
		if p := sourcetest.Payload(m.Value); p != nil && p["op"] == "c" {
			ids = append(ids, fmt.Sprint(p["after"].(map[string]any)["id"]))
		}
	}
	sort.Strings(ids)
	return ids
}

// TestGTIDPositioning: a Debezium-written MariaDB offset ({file, pos, gtids,
// server_id, ts_sec}) whose binlog file was purged resumes by its GTIDs with
// nothing lost or repeated, and so does another server's offset taken
// inside a transaction; one whose next transactions were purged, or
// whose GTIDs the server no longer knows (RESET MASTER), is FAILED with the
// snapshot mode that recovers (gtid.ignore.on.recovery resumes by file and
// position instead); gtid.source.includes drops other domains' row changes.
func TestGTIDPositioning(t *testing.T) {
	admin, base := privateGTIDServer(t, uniq("gtid"))
	file0, pos0, g0 := masterStatus(t, admin)
	exec(t, admin, "INSERT INTO t VALUES (10)")
	file1, pos1, g1 := masterStatus(t, admin)
	exec(t, admin, "FLUSH BINARY LOGS", "INSERT INTO t VALUES (11)", "INSERT INTO t VALUES (12)")
	file2, _, _ := masterStatus(t, admin)
	purgeTo(t, admin, file2)
	debezium := func(file string, pos int64, gtids string) map[string]any {
		return map[string]any{"transaction_id": nil, "ts_sec": time.Now().Unix(), "file": file, "pos": pos, "gtids": gtids, "server_id": 7}
	}

	t.Run("offset file purged, resumes by GTIDs", func(t *testing.T) {
		name := uniq("gtidres")
		cfg := clone(base, name)
		hs := newHarness(t, cfg)
		commitOffset(t, hs, name, debezium(file1, pos1, g1))
		hs.DrainAtLeast(100, 2)
		if ids := createdIDs(t, name+".d.t", 2); fmt.Sprint(ids) != "[11 12]" {
			t.Fatalf("created %v, want [11 12] (10 is before the offset)", ids)
		}
		exec(t, admin, "INSERT INTO t VALUES (13)")
		hs.DrainAtLeast(100, 1) // the next invocation resumes from ferry's own offset
		if ids := createdIDs(t, name+".d.t", 3); fmt.Sprint(ids) != "[11 12 13]" {
			t.Fatalf("created %v, want [11 12 13]", ids)
		}
	})
	t.Run("another server's offset, mid-transaction, resumes by GTIDs", func(t *testing.T) {
		name := uniq("gtidmid")
		cfg := clone(base, name)
		cfg["max.batch.size"], cfg["include.schema.changes"] = "1", "false"
		hs := newHarness(t, cfg)
		file, pos, gtids := masterStatus(t, admin)
		commitOffset(t, hs, name, debezium(file, pos, gtids))
		exec(t, admin, "BEGIN", "INSERT INTO t VALUES (40)", "INSERT INTO t VALUES (41)", "INSERT INTO t VALUES (42)", "COMMIT")
		var off map[string]any
		for read := int64(0); off["event"] == nil; { // until the committed offset is inside the transaction
			res := hs.Invoke(1)
			if read += res.Read; res.State != functions.StateRunning || read > 2 {
				t.Fatalf("invocation: %s, read %d (want the transaction in parts): %s", res.State, read, res.Trace)
			}
			entries, err := hs.Store.ReadOffsets(context.Background(), hs.Name)
			if err != nil || len(entries) != 1 {
				t.Fatalf("offsets %v: %v", entries, err)
			}
			off = entries[0].Offset
		}
		if off["gtids"] != gtids {
			t.Fatalf("offset %v: want gtids %s (those before the transaction)", off, gtids)
		}
		// The same transaction on a server whose binlog files are named otherwise (a failover).
		off["file"] = "other-bin.000009"
		commitOffset(t, hs, name, off)
		hs.DrainAtLeast(1, 2)
		if ids := createdIDs(t, name+".d.t", 3); fmt.Sprint(ids) != "[40 41 42]" {
			t.Fatalf("created %v, want [40 41 42] once each", ids)
		}
	})
	t.Run("needed GTIDs purged", func(t *testing.T) {
		name := uniq("gtidlost")
		hs := newHarness(t, clone(base, name))
		commitOffset(t, hs, name, debezium(file0, pos0, g0))
		failed(t, hs, "need transactions the server has purged", "snapshot.mode=when_needed", "snapshot.mode=initial")
	})
	t.Run("needed GTIDs purged, when_needed snapshots", func(t *testing.T) {
		name := uniq("gtidwn")
		cfg := clone(base, name)
		cfg["snapshot.mode"] = "when_needed"
		hs := newHarness(t, cfg)
		commitOffset(t, hs, name, debezium(file0, pos0, g0))
		hs.DrainAtLeast(100, 4)
	})
	t.Run("gtid.source.includes", func(t *testing.T) {
		name := uniq("gtidinc")
		cfg := clone(base, name)
		cfg["gtid.source.includes"] = "0-7"
		hs := newHarness(t, cfg)
		file, pos, gtids := masterStatus(t, admin)
		commitOffset(t, hs, name, debezium(file, pos, gtids))
		exec(t, admin, "INSERT INTO t VALUES (20)", "SET SESSION gtid_domain_id = 5", "INSERT INTO t VALUES (21)",
			"SET SESSION gtid_domain_id = 0", "INSERT INTO t VALUES (22)")
		hs.DrainAtLeast(100, 2)
		if ids := createdIDs(t, name+".d.t", 2); fmt.Sprint(ids) != "[20 22]" {
			t.Fatalf("created %v, want [20 22] (21 is domain 5's)", ids)
		}
	})
	t.Run("server knows no GTIDs", func(t *testing.T) {
		exec(t, admin, "RESET MASTER")
		name := uniq("gtidreset")
		hs := newHarness(t, clone(base, name))
		commitOffset(t, hs, name, debezium(file1, pos1, g1))
		failed(t, hs, "the server knows no GTIDs", "gtid.ignore.on.recovery=true", "snapshot.mode=when_needed")

		cfg := clone(base, name+"_ignore")
		cfg["gtid.ignore.on.recovery"] = "true"
		hs = newHarness(t, cfg)
		file, pos, _ := masterStatus(t, admin)
		commitOffset(t, hs, cfg["name"], debezium(file, pos, g1)) // the old GTIDs, a position on the reset binlog
		exec(t, admin, "INSERT INTO t VALUES (50)")
		hs.DrainAtLeast(100, 1)
		if ids := createdIDs(t, cfg["name"]+".d.t", 1); fmt.Sprint(ids) != "[50]" {
			t.Fatalf("with gtid.ignore.on.recovery: created %v, want [50]", ids)
		}
	})
}

// purgeTo purges the binlog files before file and waits until they are
// gone: MariaDB keeps a file while its binlog checkpoint (written in the
// background after FLUSH BINARY LOGS) may still need it for crash recovery,
// and PURGE then skips it with only a note, so the purge is repeated until
// SHOW BINARY LOGS starts at file (10 s at most).
func purgeTo(t *testing.T, admin *client.Conn, file string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		exec(t, admin, "PURGE BINARY LOGS TO '"+file+"'")
		res, err := admin.Execute("SHOW BINARY LOGS")
		if err != nil {
			t.Fatal(err)
		}
		first, _ := res.GetString(0, 0)
		if first == file {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("PURGE BINARY LOGS TO '%s': the oldest binlog file is still %s after 10 s", file, first)
		}
	}
}

// clone copies a connector config under a new name and prefix.
func clone(base map[string]string, name string) map[string]string {
	out := make(map[string]string, len(base))
	for k, v := range base {
		out[k] = v
	}
	out["name"], out["topic.prefix"], out["schema.history.internal.kafka.topic"] = name, name, "schemahistory."+name
	return out
}
