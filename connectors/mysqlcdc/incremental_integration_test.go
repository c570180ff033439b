//go:build integration

package mysqlcdc_test

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// signalTable creates a Debezium signalling table and returns its
// database.table name.
func signalTable(t *testing.T) string {
	name := uniq("sig")
	exec(t, db(t), "CREATE TABLE "+name+" (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)")
	return mariadb(t).db + "." + name
}

// fillTable creates (id INT PRIMARY KEY, v BIGINT) with rows 1..n, v = id.
func fillTable(t *testing.T, name string, n int) {
	conn := db(t)
	exec(t, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, v BIGINT NOT NULL)")
	for lo := 1; lo <= n; lo += 1000 {
		var vals []string
		for id := lo; id < lo+1000 && id <= n; id++ {
			vals = append(vals, fmt.Sprintf("(%d,%d)", id, id))
		}
		exec(t, conn, "INSERT INTO "+name+" VALUES "+strings.Join(vals, ","))
	}
}

// endOffset is the number of records in a topic.
func endOffset(t *testing.T, topic string) int {
	n := endOffsetOrZero(t, topic)
	if n < 0 {
		t.Fatalf("listing the end offsets of %s failed", topic)
	}
	return n
}

// endOffsetOrZero is endOffset, 0 for a topic not created yet, -1 on a
// failure.
func endOffsetOrZero(t *testing.T, topic string) int {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(context.Background(), topic)
	if err != nil {
		return -1
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
	return int(n)
}

// rowState is a row as the change events so far leave it.
type rowState struct {
	exists, changed bool
	v               string
}

// foldEvents applies a table's events in topic order. A read must show
// exactly the state the changes before it left (a read after a change to
// its row is the newest state, never an older one, never a deleted row).
func foldEvents(t *testing.T, msgs []sourcetest.Message, mark, keyField string) (map[string]*rowState, int) {
	t.Helper()
	rows := map[string]*rowState{}
	reads := 0
	for i, m := range msgs {
		if m.Value == nil {
			continue
		}
		op, _ := m.Value["op"].(string)
		row, _ := m.Value["after"].(map[string]any)
		if op == "d" {
			row, _ = m.Value["before"].(map[string]any)
		}
		id := fmt.Sprint(row[keyField])
		st := rows[id]
		if st == nil {
			st = &rowState{}
			rows[id] = st
		}
		v := fmt.Sprint(row["v"])
		switch op {
		case "r":
			reads++
			if st.changed && (!st.exists || st.v != v) {
				t.Fatalf("record %d: read of id %s with v=%s after changes left exists=%v v=%s (stale or resurrected)", i, id, v, st.exists, st.v)
			}
			if src, _ := m.Value["source"].(map[string]any); src["snapshot"] != mark {
				t.Fatalf("record %d: read's source.snapshot = %v, want %s", i, src["snapshot"], mark)
			}
			st.exists, st.v = true, v
		case "c", "u":
			st.exists, st.changed, st.v = true, true, v
		case "d":
			st.exists, st.changed = false, true
		}
	}
	return rows, reads
}

// checkFinal compares the state the events leave with the table's.
func checkFinal(t *testing.T, rows map[string]*rowState, want map[string]string) {
	t.Helper()
	for id, v := range want {
		if st := rows[id]; st == nil || !st.exists || st.v != v {
			t.Fatalf("id %s: events leave %+v, the table has v=%s", id, st, v)
		}
	}
	for id, st := range rows {
		if _, ok := want[id]; st.exists && !ok {
			t.Fatalf("id %s: events leave it existing (v=%s), the table has no such row", id, st.v)
		}
	}
}

// tableState reads (keyField, v) of every row.
func tableState(t *testing.T, table, keyField string) map[string]string {
	res, err := db(t).Execute("SELECT " + keyField + ", v FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for i := range res.Values {
		id, _ := res.GetString(i, 0)
		v, _ := res.GetInt(i, 1)
		out[id] = fmt.Sprint(v)
	}
	return out
}

// writer updates, deletes and inserts random rows of ids 1..span with ever
// larger v until stopped.
func writer(t *testing.T, table string, span int) (stop func() int) {
	return writeWith(t, span, func(op, id, seq int) string {
		switch op {
		case 0:
			return fmt.Sprintf("UPDATE %s SET v = %d WHERE id = %d", table, seq, id)
		case 1:
			return fmt.Sprintf("DELETE FROM %s WHERE id = %d", table, id)
		}
		return fmt.Sprintf("INSERT INTO %s VALUES (%d, %d) ON DUPLICATE KEY UPDATE v = %d", table, id, seq, seq)
	})
}

// writeWith runs the statements stmt builds for random ids 1..span, op 0
// (update, half of them), 1 (delete) or 2 (upsert), with ever larger seq,
// until stopped.
func writeWith(t *testing.T, span int, stmt func(op, id, seq int) string) (stop func() int) {
	conn := db(t)
	done := make(chan struct{})
	var wg sync.WaitGroup
	var n int
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		rnd := rand.New(rand.NewSource(1))
		for seq := 1_000_000; ; seq++ {
			select {
			case <-done:
				return
			default:
			}
			id, op := 1+rnd.Intn(span), max(0, rnd.Intn(4)-1)
			if _, err := conn.Execute(stmt(op, id, seq)); err != nil {
				werr = err
				return
			}
			n++
			time.Sleep(time.Millisecond) // pace: the writer shares the machine with the connector
		}
	}()
	return func() int {
		close(done)
		wg.Wait()
		if werr != nil {
			t.Fatal(werr)
		}
		return n
	}
}

// incConfig streams the tables (the first names the connector) from the
// current position with signalling table sig, chunks of chunk rows and
// batches of 50, records without schemas, deletes without tombstones.
func incConfig(t *testing.T, sig, chunk string, tables ...string) map[string]string {
	cfg := noSchemas(connectorConfig(t, tables[0], tables...))
	cfg["snapshot.mode"] = "no_data"
	cfg["signal.data.collection"] = sig
	cfg["incremental.snapshot.chunk.size"] = chunk
	cfg["max.batch.size"] = "50"
	cfg["tombstones.on.delete"] = "false"
	return cfg
}

// slowSignalTable is a signalling table whose high watermark inserts take
// 30 ms after their chunk's SELECT: a writer's changes in that time are in
// the window by construction.
func slowSignalTable(t *testing.T) string {
	sig := signalTable(t)
	tb := strings.Split(sig, ".")[1]
	exec(t, db(t), "CREATE TRIGGER "+tb+"_slow BEFORE INSERT ON "+tb+
		" FOR EACH ROW BEGIN IF NEW.type = 'snapshot-window-close' THEN DO SLEEP(0.03); END IF; END")
	return sig
}

// untilSnapshotEnds invokes (at most max records each) until the committed
// offset shows an incremental snapshot that started and ended; it returns
// the invocations, failing under 3 (the snapshot should span several).
func (hs *harness) untilSnapshotEnds(max int) int {
	hs.T.Helper()
	invocations, started := 0, false
	for deadline := time.Now().Add(45 * time.Second); ; invocations++ {
		if time.Now().After(deadline) {
			hs.T.Fatalf("the incremental snapshot did not end in 45 s (%d invocations)", invocations)
		}
		hs.Invoke(max)
		running := hs.Snapshotting()
		if started && !running {
			break
		}
		started = started || running
	}
	if invocations < 3 {
		hs.T.Fatalf("the snapshot took %d invocations, want several", invocations)
	}
	return invocations
}

// drainQuiet invokes until two invocations read nothing.
func (hs *harness) drainQuiet() {
	hs.T.Helper()
	for quiet, deadline := 0, time.Now().Add(30*time.Second); quiet < 2; {
		if time.Now().After(deadline) {
			hs.T.Fatal("invocations still read records 30 s after the writer stopped")
		}
		if hs.Invoke(1000).Read == 0 {
			quiet++
		}
	}
}

// TestIncrementalSnapshotConcurrentChanges runs an execute-snapshot of one
// of two tables while a writer updates, deletes and inserts its rows,
// in invocations of at most 200 records (chunks of 100, batches of 50):
// every read shows the state the changes before it left, and the events
// fold to the table's final state; the other table gets no reads.
func TestIncrementalSnapshotConcurrentChanges(t *testing.T) {
	conn := db(t)
	name, other := uniq("inc"), uniq("incother")
	fillTable(t, name, 3000)
	fillTable(t, other, 50)
	sig := slowSignalTable(t)
	hs := newHarness(t, incConfig(t, sig, "100", name, other))
	hs.DrainAtLeast(100, 1) // the schema snapshot: streaming from here
	stop := writer(t, name, 3300)
	exec(t, conn, "INSERT INTO "+strings.Split(sig, ".")[1]+` VALUES ('ad-hoc-1', 'execute-snapshot', '{"data-collections": ["`+mariadb(t).db+"."+name+`"], "type": "incremental"}')`)
	invocations := hs.untilSnapshotEnds(200)
	writes := stop()
	hs.drainQuiet()
	topic := name + "." + mariadb(t).db + "."
	msgs := consume(t, topic+name, endOffset(t, topic+name), 30*time.Second)
	rows, reads := foldEvents(t, msgs, "incremental", "id")
	want := tableState(t, name, "id")
	checkFinal(t, rows, want)
	if reads < 1000 {
		t.Fatalf("%d reads, want most of 3000 rows", reads)
	}
	for _, m := range consume(t, topic+other, endOffset(t, topic+other), 10*time.Second) {
		if m.Value != nil && m.Value["op"] == "r" {
			t.Fatalf("a read of %s, which the signal did not name", other)
		}
	}
	t.Logf("%d writes during %d invocations; %d records, %d reads, %d rows", writes, invocations, len(msgs), reads, len(want))
}

// TestIncrementalSnapshotCompositeKey: an incremental snapshot of a table
// keyed by (VARCHAR, DATETIME(6), DECIMAL) under concurrent changes: the
// chunk queries compare the composite key, and the window drops rows by
// key values decoded from the binlog, equal to those read by the chunk.
func TestIncrementalSnapshotCompositeKey(t *testing.T) {
	conn := db(t)
	name := uniq("inckey")
	exec(t, conn, "CREATE TABLE "+name+" (name VARCHAR(20), at DATETIME(6), amount DECIMAL(10,2), v BIGINT NOT NULL, PRIMARY KEY (name, at, amount))")
	row := func(n, v int) string {
		return fmt.Sprintf("('n%04d', DATE_ADD('2024-01-01 00:00:00.000001', INTERVAL %d SECOND), %d.25, %d)", n, n, n, v)
	}
	var vals []string
	for n := 1; n <= 400; n++ {
		vals = append(vals, row(n, n))
	}
	exec(t, conn, "INSERT INTO "+name+" VALUES "+strings.Join(vals, ","))
	sig := slowSignalTable(t)
	hs := newHarness(t, incConfig(t, sig, "20", name))
	hs.DrainAtLeast(100, 1)
	stop := writeWith(t, 440, func(op, n, seq int) string {
		switch op {
		case 0:
			return fmt.Sprintf("UPDATE %s SET v = %d WHERE name = 'n%04d'", name, seq, n)
		case 1:
			return fmt.Sprintf("DELETE FROM %s WHERE name = 'n%04d'", name, n)
		}
		return fmt.Sprintf("INSERT INTO %s VALUES %s ON DUPLICATE KEY UPDATE v = %d", name, row(n, seq), seq)
	})
	exec(t, conn, "INSERT INTO "+strings.Split(sig, ".")[1]+` VALUES ('ad-hoc-1', 'execute-snapshot', '{"data-collections": ["`+mariadb(t).db+"."+name+`"]}')`)
	invocations := hs.untilSnapshotEnds(100)
	writes := stop()
	hs.drainQuiet()
	topic := name + "." + mariadb(t).db + "." + name
	msgs := consume(t, topic, endOffset(t, topic), 30*time.Second)
	rows, reads := foldEvents(t, msgs, "incremental", "name")
	checkFinal(t, rows, tableState(t, name, "name"))
	if reads < 100 {
		t.Fatalf("%d reads, want most of 400 rows", reads)
	}
	t.Logf("%d writes during %d invocations; %d records, %d reads", writes, invocations, len(msgs), reads)
}
