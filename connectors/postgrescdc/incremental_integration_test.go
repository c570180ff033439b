//go:build integration

package postgrescdc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/ferryhq/ferry/connectors/postgrescdc"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/jackc/pgx/v5"
)

// signalTable creates a Debezium signalling table named after the test.
func signalTable(t *testing.T, conn *pgx.Conn, name string) string {
	sig := name + "_signal"
	exec(t, conn, "CREATE TABLE "+sig+" (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)")
	return sig
}

// incSetup creates <name>_t (id INT PRIMARY KEY, v INT NOT NULL) holding
// rows rows of v = 0 and the signalling table; the slot is dropped at the end.
func incSetup(t *testing.T, conn *pgx.Conn, prefix string, rows int) (name, tbl, sig string) {
	name = uniq(prefix)
	tbl = name + "_t"
	sig = signalTable(t, conn, name)
	exec(t, conn, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY, v INT NOT NULL)",
		fmt.Sprintf("INSERT INTO %s SELECT g, 0 FROM generate_series(1, %d) g", tbl, rows))
	dropSlot(t, conn, name)
	return name, tbl, sig
}

// incConfig captures tables with the signalling table sig and small chunks.
func incConfig(t testing.TB, name, sig, mode string, chunk int, tables ...string) map[string]string {
	cfg := connectorConfig(t, name, tables...)
	cfg["snapshot.mode"] = mode
	cfg["signal.data.collection"] = "public." + sig
	cfg["incremental.snapshot.chunk.size"] = fmt.Sprint(chunk)
	cfg["max.batch.size"] = fmt.Sprint(chunk)
	return cfg
}

// invokeWhile runs invocations with dml running alongside each, until done
// says stop (checked after each invocation); it returns the records read.
func (hs *harness) invokeWhile(maxRecords int, dml func(), done func() bool) (read int64) {
	hs.T.Helper()
	for deadline := time.Now().Add(50 * time.Second); !done(); {
		if time.Now().After(deadline) {
			hs.T.Fatalf("the snapshot did not end in 50 s (offset %v)", hs.Committed())
		}
		var wg sync.WaitGroup
		if dml != nil {
			wg.Go(dml)
		}
		res := hs.Invoke(maxRecords)
		wg.Wait()
		if res.State != functions.StateRunning {
			hs.T.Fatalf("%s: %s", res.State, res.Trace)
		}
		read += res.Read
	}
	return read
}

// catchUp writes a marker row and invokes until its change is committed:
// every change before it is then in Kafka.
func (hs *harness) catchUp(conn *pgx.Conn, tbl string, marker int) (read int64) {
	hs.T.Helper()
	var lsn int64 // the marker's change is after it
	if err := conn.QueryRow(context.Background(), "SELECT (pg_current_wal_lsn() - '0/0')::bigint").Scan(&lsn); err != nil {
		hs.T.Fatal(err)
	}
	exec(hs.T, conn, fmt.Sprintf("INSERT INTO %s (id, v) VALUES (%d, 0)", tbl, marker))
	return hs.invokeWhile(1000, nil, func() bool {
		end, _ := strconv.ParseInt(fmt.Sprint(hs.Committed()["ferry_tx_end"]), 10, 64) // end of the last transaction committed
		return end > lsn
	})
}

// replay applies the topic's events in order: the final row of each key.
func replay(t *testing.T, msgs []sourcetest.Message) (rows map[string]string, reads int) {
	rows = map[string]string{}
	for _, m := range msgs {
		if m.Value == nil {
			continue
		}
		p := sourcetest.Payload(m.Value)
		id := sourcetest.Payload(m.Key)["id"].(json.Number).String()
		switch p["op"] {
		case "r", "c", "u":
			after := p["after"].(map[string]any)
			rows[id] = fmt.Sprint(after["v"])
			if p["op"] == "r" {
				reads++
				if s := p["source"].(map[string]any)["snapshot"]; s != "incremental" {
					t.Fatalf("read event with source.snapshot %v, want incremental", s)
				}
			}
		case "d":
			delete(rows, id)
		}
	}
	return rows, reads
}

// tableRows is the table's rows: id -> v.
func tableRows(t *testing.T, conn *pgx.Conn, tbl string) map[string]string {
	rows, err := conn.Query(context.Background(), "SELECT id::text, v::text FROM "+tbl)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for rows.Next() {
		var id, v string
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		out[id] = v
	}
	return out
}

// compareRows fails on every key whose replayed state differs from the table.
func compareRows(t *testing.T, got, want map[string]string) {
	t.Helper()
	bad := 0
	for id, v := range want {
		if got[id] != v && bad < 10 {
			bad++
			t.Errorf("id %s: replayed %q, table has %q (missed row or lost update)", id, got[id], v)
		}
	}
	for id, v := range got {
		if _, ok := want[id]; !ok && bad < 10 {
			bad++
			t.Errorf("id %s: replayed %q, deleted from the table (resurrected row)", id, v)
		}
	}
}

// An execute-snapshot signal while updates, deletes and inserts run
// alongside every invocation: the snapshot spreads over many invocations
// and the topic replays to exactly the table's final rows.
func TestIncrementalSnapshotConcurrentDML(t *testing.T) {
	conn, dmlConn := pg(t), pg(t)
	name, tbl, sig := incSetup(t, conn, "inc", 3000)
	hs := newHarness(t, incConfig(t, name, sig, "no_data", 100, "public."+tbl))
	read := hs.Drain(1000) // creates the slot: streaming from here
	exec(t, conn, "INSERT INTO "+sig+` VALUES ('adhoc-1', 'execute-snapshot', '{"data-collections": ["public.`+tbl+`"], "type": "incremental"}')`)
	rng := rand.New(rand.NewPCG(1, 2))
	next := 10000
	dml := func() { // 30 changes per invocation, all over the key range
		for i := 0; i < 30; i++ {
			id := 1 + rng.IntN(3000)
			q := fmt.Sprintf("UPDATE %s SET v = v + 1 WHERE id = %d", tbl, id)
			switch i % 3 {
			case 1:
				q = fmt.Sprintf("DELETE FROM %s WHERE id = %d", tbl, id)
			case 2:
				q = fmt.Sprintf("INSERT INTO %s VALUES (%d, 1) ON CONFLICT (id) DO UPDATE SET v = %s.v + 1", tbl, id, tbl)
				if rng.IntN(2) == 0 {
					next++
					q = fmt.Sprintf("INSERT INTO %s VALUES (%d, 1)", tbl, next)
				}
			}
			if _, err := dmlConn.Exec(context.Background(), q); err != nil {
				t.Error(err)
				return
			}
		}
	}
	// Inside every chunk's window (after its query, before its high
	// watermark): update the chunk's first row and delete its second. A
	// chunk emitted without dropping them would undo both.
	hookConn := pg(t)
	windows := 0
	postgrescdc.SetChunkReadHook(func(table string, first, _ []string) {
		windows++
		id, _ := strconv.Atoi(first[0])
		exec(t, hookConn, fmt.Sprintf("UPDATE %s SET v = v + 1000 WHERE id = %d", tbl, id),
			fmt.Sprintf("DELETE FROM %s WHERE id = (SELECT min(id) FROM %s WHERE id > %d)", tbl, tbl, id))
	})
	t.Cleanup(func() { postgrescdc.SetChunkReadHook(nil) })
	started := false
	read += hs.invokeWhile(250, dml, func() bool {
		started = started || hs.Snapshotting()
		return started && !hs.Snapshotting()
	})
	read += hs.catchUp(conn, tbl, 99999)
	msgs := consume(t, name+".public."+tbl, int(read), 30*time.Second)
	if len(msgs) != int(read) {
		t.Fatalf("consumed %d records, the connector read %d", len(msgs), read)
	}
	got, reads := replay(t, msgs)
	compareRows(t, got, tableRows(t, conn, tbl))
	if reads < 2000 {
		t.Fatalf("%d read events, want most of the 3000 rows", reads)
	}
	if windows < 10 {
		t.Fatalf("%d chunk windows had changes made inside them, want at least 10", windows)
	}
	t.Logf("%d records, %d read events, %d windows with changes inside", len(msgs), reads, windows)
}

// An execute-snapshot signal names one of two captured tables: only that
// one is read (with the insert_delete watermarks: none is left behind).
func TestIncrementalSnapshotSignalOneTable(t *testing.T) {
	conn := pg(t)
	name := uniq("incsig")
	a, b := name+"_a", name+"_b"
	sig := signalTable(t, conn, name)
	exec(t, conn, "CREATE TABLE "+a+" (id INT PRIMARY KEY, v INT NOT NULL)", "CREATE TABLE "+b+" (id INT PRIMARY KEY, v INT NOT NULL)",
		"INSERT INTO "+a+" SELECT g, g FROM generate_series(1, 250) g", "INSERT INTO "+b+" SELECT g, g FROM generate_series(1, 250) g")
	dropSlot(t, conn, name)
	cfg := incConfig(t, name, sig, "no_data", 100, "public."+a, "public."+b)
	cfg["incremental.snapshot.watermarking.strategy"] = "insert_delete"
	hs := newHarness(t, cfg)
	if n := hs.Drain(1000); n != 0 {
		t.Fatalf("snapshot.mode=no_data read %d records before the signal", n)
	}
	exec(t, conn, "INSERT INTO "+sig+` VALUES ('adhoc-a', 'execute-snapshot', '{"data-collections": ["public.`+a+`"], "type": "incremental"}')`)
	// The snapshot may end within one invocation: wait for its 250 reads.
	read := hs.DrainAtLeast(1000, 250)
	read += hs.invokeWhile(1000, nil, func() bool { return !hs.Snapshotting() })
	read += hs.catchUp(conn, a, 99999)
	msgs := consume(t, name+".public."+a, int(read), 30*time.Second)
	got, reads := replay(t, msgs)
	if reads != 250 {
		t.Fatalf("%d read events on %s, want 250", reads, a)
	}
	compareRows(t, got, tableRows(t, conn, a))
	if other := consume(t, name+".public."+b, 1, 2*time.Second); len(other) != 0 {
		t.Fatalf("table %s not named by the signal has %d records", b, len(other))
	}
	var closes int // insert_delete closes a window by deleting its opening row
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM "+sig+" WHERE type <> 'execute-snapshot'").Scan(&closes); err != nil || closes != 0 {
		t.Fatalf("%d watermark rows left in the signalling table with insert_delete (%v)", closes, err)
	}
}

// snapshot.mode=initial with a signalling table reads the initial snapshot
// in watermarked chunks: an invocation ending mid-snapshot (a kill) leaves
// the last chunk's position in the offset, and the next resumes there: no
// row missed, none read twice.
func TestInitialSnapshotResumesAtLastChunk(t *testing.T) {
	conn := pg(t)
	name, tbl, sig := incSetup(t, conn, "incinit", 1000)
	hs := newHarness(t, incConfig(t, name, sig, "initial", 100, "public."+tbl))
	first := hs.Invoke(150) // stops after two chunks (200 records)
	if first.State != functions.StateRunning || first.Read == 0 || first.Read >= 1000 {
		t.Fatalf("first invocation: %s read %d: %s", first.State, first.Read, first.Trace)
	}
	var pos []string
	if err := json.Unmarshal([]byte(fmt.Sprint(hs.Committed()["ferry_incremental_snapshot_primary_key"])), &pos); err != nil || len(pos) != 1 {
		t.Fatalf("committed offset %v: no snapshot position (%v)", hs.Committed(), err)
	}
	if key, err := debezium.DecodeKey(fmt.Sprint(hs.Committed()["incremental_snapshot_primary_key"])); err != nil || fmt.Sprint(key) != "["+pos[0]+"]" {
		t.Fatalf("Debezium's form of the position: %v %v, want [%s]", key, err, pos[0])
	}
	exec(t, conn, "UPDATE "+tbl+" SET v = 7 WHERE id IN (1, 999)", "DELETE FROM "+tbl+" WHERE id = 500")
	read := first.Read + hs.invokeWhile(1000, nil, func() bool { return !hs.Snapshotting() })
	read += hs.catchUp(conn, tbl, 99999)
	msgs := consume(t, name+".public."+tbl, int(read), 30*time.Second)
	got, reads := replay(t, msgs)
	compareRows(t, got, tableRows(t, conn, tbl))
	if reads != 999 {
		t.Fatalf("%d read events, want 999 (1000 rows, one deleted before its chunk): rows read twice or missed", reads)
	}
	seen := map[string]int{}
	for _, m := range msgs[:first.Read] {
		seen[sourcetest.Payload(m.Key)["id"].(json.Number).String()]++
	}
	last, _ := strconv.Atoi(pos[0])
	if seen[pos[0]] != 1 || seen[fmt.Sprint(last+1)] != 0 {
		t.Fatalf("offset position %s does not end the first invocation's reads", pos[0])
	}
}
