//go:build integration

package jdbcsink_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/jdbcsink"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
)

var base = time.Date(2026, 3, 1, 10, 10, 0, 0, time.UTC)

const fields = `{"type":"int64","optional":false,"field":"id"},` +
	`{"type":"string","optional":false,"field":"name"},` +
	`{"type":"double","optional":false,"field":"amount"},` +
	`{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"},` +
	`{"type":"boolean","optional":false,"field":"active"},` +
	`{"type":"string","optional":true,"field":"note"}`

// order is record i: an int64 key and a value with pad extra name bytes;
// with extra, the schema has a sixth optional field (for auto.evolve).
func order(i, pad int, extra bool) *kgo.Record {
	note := "null"
	if i%3 == 0 {
		note = fmt.Sprintf("%q", fmt.Sprintf("note %d", i))
	}
	schema, more := `{"type":"struct","name":"ferry.test.Order","optional":false,"fields":[`+fields+`]}`, ""
	if extra {
		schema = `{"type":"struct","name":"ferry.test.Order","optional":false,"fields":[` + fields +
			`,{"type":"string","optional":true,"field":"extra"}]}`
		more = fmt.Sprintf(`,"extra":"x%d"`, i)
	}
	v := fmt.Sprintf(`{"schema":%s,"payload":{"id":%d,"name":%q,"amount":%d.25,"ts":%d,"active":%t,"note":%s%s}}`,
		schema, i, name(i, pad), i%1000, base.Add(time.Duration(i)*time.Second).UnixMilli(), i%2 == 0, note, more)
	return &kgo.Record{Key: key(i), Value: []byte(v)}
}

func key(i int) []byte {
	return []byte(fmt.Sprintf(`{"schema":{"type":"int64","optional":false},"payload":%d}`, i))
}

func name(i, pad int) string { return fmt.Sprintf("customer-%d-", i) + strings.Repeat("x", pad) }

func sinkConfig(topic, url string, extra ...string) map[string]string {
	cfg := map[string]string{"connector.class": jdbcsink.Class, "topics": topic, "connection.url": url,
		"insert.mode": "upsert", "pk.mode": "record_key", "pk.fields": "id", "auto.create": "true",
		"auto.evolve": "true", "delete.enabled": "true"}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i]] = extra[i+1]
	}
	return cfg
}

// checkTable compares the table row by row with orders [from, to) except
// the ids in gone, in id order.
func checkTable(t *testing.T, d *database, table string, from, to int, gone func(int) bool, pad int) {
	t.Helper()
	rows, err := d.db.Query("SELECT id, name, amount, ts, active, note FROM " + table + " ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := from
	for rows.Next() {
		for want < to && gone(want) {
			want++
		}
		var id int64
		var nm string
		var amount float64
		var ts time.Time
		var active bool
		var note sql.NullString
		if err := rows.Scan(&id, &nm, &amount, &ts, &active, &note); err != nil {
			t.Fatal(err)
		}
		i := int(id)
		if i != want {
			t.Fatalf("%s: row with id %d where %d was expected (missing or duplicate rows)", d.name, i, want)
		}
		var wantNote sql.NullString
		if i%3 == 0 {
			wantNote = sql.NullString{String: fmt.Sprintf("note %d", i), Valid: true}
		}
		if nm != name(i, pad) || amount != float64(i%1000)+0.25 || !ts.Equal(base.Add(time.Duration(i)*time.Second)) ||
			active != (i%2 == 0) || note != wantNote {
			t.Fatalf("%s: row %d = %q %v %v %v %v", d.name, i, nm, amount, ts, active, note)
		}
		want++
	}
	for want < to && gone(want) {
		want++
	}
	if want != to {
		t.Fatalf("%s: table ends before id %d", d.name, want)
	}
}

// 100,000 records upserted into PostgreSQL and MariaDB tables that the sink
// creates, compared row by row; 1000 tombstones delete rows; records with a
// new optional field widen the table (auto.evolve).
func TestJDBC100kUpsertDeleteEvolve(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("jdbc_orders", 2)
	r.Produce(topic, 2, 0, 100000, func(i int) *kgo.Record { return order(i, 20, false) })
	r.Produce(topic, 2, 0, 1000, func(i int) *kgo.Record { return &kgo.Record{Key: key(i)} })
	for _, d := range r.dbs {
		t.Run(d.name, func(t *testing.T) {
			start := time.Now()
			r.Drain(d.name+"-"+topic, sinkConfig(topic, d.url))
			t.Logf("%s: 101,000 records (1000 tombstones) in %v", d.name, time.Since(start).Round(time.Millisecond))
			checkTable(t, d, topic, 0, 100000, func(i int) bool { return i < 1000 }, 20)
		})
	}
	r.Produce(topic, 2, 100000, 10, func(i int) *kgo.Record { return order(i, 20, true) })
	for _, d := range r.dbs {
		r.Drain(d.name+"-"+topic, sinkConfig(topic, d.url))
		var extra sql.NullString
		if err := d.db.QueryRow("SELECT extra FROM " + topic + " WHERE id = 100005").Scan(&extra); err != nil || extra.String != "x100005" {
			t.Fatalf("%s: extra of 100005 = %v, %v", d.name, extra, err)
		}
		if err := d.db.QueryRow("SELECT extra FROM " + topic + " WHERE id = 5000").Scan(&extra); err != nil || extra.Valid {
			t.Fatalf("%s: extra of an old row = %v, %v; want NULL", d.name, extra, err)
		}
		if n := d.count(t, topic); n != 99010 {
			t.Fatalf("%s: %d rows, want 99010", d.name, n)
		}
	}
}

// A NOT NULL column the records leave null: with errors.tolerance=none the
// invocation fails naming the column and commits nothing; with all, the
// other rows are written and the refused ones go to the dead-letter queue.
func TestJDBCNotNullViolation(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("jdbc_notnull", 1)
	r.Produce(topic, 1, 0, 30, func(i int) *kgo.Record { return order(i, 0, false) })
	for _, d := range r.dbs {
		t.Run(d.name, func(t *testing.T) {
			table := topic + "_" + d.name
			ddl := "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, name TEXT NOT NULL, amount DOUBLE PRECISION NOT NULL, ts TIMESTAMP NOT NULL, active BOOLEAN NOT NULL, note TEXT NOT NULL)"
			if d.name == "mariadb" {
				ddl = strings.ReplaceAll(strings.ReplaceAll(ddl, "DOUBLE PRECISION", "DOUBLE"), "TIMESTAMP", "DATETIME(3)")
			}
			if _, err := d.db.Exec(ddl); err != nil {
				t.Fatal(err)
			}
			cfg := sinkConfig(topic, d.url, "table.name.format", table, "auto.create", "false", "auto.evolve", "false")
			_, err := r.H.Handle(context.Background(), r.Invocation("strict-"+table, cfg))
			if err == nil || !strings.Contains(err.Error(), "note") || !strings.Contains(err.Error(), table) {
				t.Fatalf("got %v, want a failure naming table %s and column note", err, table)
			}
			if n := d.count(t, table); n != 0 {
				t.Fatalf("%d rows after a failed invocation, want 0", n)
			}
			cfg["errors.tolerance"] = "all"
			r.Drain("tolerant-"+table, cfg)
			if n := d.count(t, table); n != 10 {
				t.Fatalf("%d rows, want the 10 with a note", n)
			}
		})
	}
}

// A worker process is SIGKILLed in the middle of its transaction: nothing it
// wrote is visible, no offset moved, and the next invocation writes every
// row once (upsert by primary key). The child is this test itself, run again
// as the child (sinktest.AsChild), against PostgreSQL.
func TestJDBCKilledWorkerNoLossNoDuplicates(t *testing.T) {
	if sinktest.AsChild(t, func(t *testing.T) { // the worker process the test kills
		var cfg map[string]string
		if err := json.Unmarshal([]byte(os.Getenv("FERRY_JDBC_KILL_CONFIG")), &cfg); err != nil {
			t.Fatal(err)
		}
		r := newRig(t)
		_, err := r.H.Handle(context.Background(), r.Invocation(os.Getenv("FERRY_JDBC_KILL_CHILD"), cfg))
		t.Fatalf("the child should have been killed; invocation returned %v", err)
	}) {
		return
	}
	r := newRig(t)
	d := r.dbs[0]
	topic := r.Topic("jdbc_kill", 1)
	const n = 60000
	r.Produce(topic, 1, 0, n, func(i int) *kgo.Record { return order(i, 200, false) })
	if _, err := d.db.Exec("CREATE TABLE " + topic + " (id BIGINT PRIMARY KEY, name TEXT NOT NULL, amount DOUBLE PRECISION NOT NULL, ts TIMESTAMP NOT NULL, active BOOLEAN NOT NULL, note TEXT)"); err != nil {
		t.Fatal(err)
	}
	cfg := sinkConfig(topic, d.url, "batch.size", "500")
	name := "kill-" + topic
	blob, _ := json.Marshal(cfg)
	var out bytes.Buffer
	child := sinktest.StartChild(t, &out, "FERRY_JDBC_KILL_CHILD="+name, "FERRY_JDBC_KILL_CONFIG="+string(blob))
	done := make(chan struct{})
	go func() { child.Wait(); close(done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var locks int
		d.db.QueryRow(`SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON l.relation = c.oid
			WHERE c.relname = $1 AND l.mode = 'RowExclusiveLock' AND l.granted`, topic).Scan(&locks)
		if locks > 0 {
			break
		}
		select {
		case <-done:
			t.Fatalf("child ended before it was killed:\n%s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			child.Process.Kill()
			t.Fatalf("child never wrote in 60s:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // let it write a few batches
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	time.Sleep(300 * time.Millisecond) // the server notices the dropped connection
	if c := r.Committed(name, topic); len(c) != 0 {
		t.Fatalf("offsets %v committed by a killed invocation", c)
	}
	if rows := d.count(t, topic); rows != 0 {
		t.Fatalf("%d rows visible from a killed invocation's transaction", rows)
	}
	r.Drain(name, cfg)
	checkTable(t, d, topic, 0, n, func(int) bool { return false }, 200)
}

// insert.mode=update changes existing rows only; pk.mode=kafka keys rows by
// topic, partition and offset in Confluent's __connect_* columns.
func TestJDBCUpdateModeAndKafkaKeys(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("jdbc_update", 1)
	r.Produce(topic, 1, 0, 10, func(i int) *kgo.Record { return order(i, 0, false) })
	for _, d := range r.dbs {
		t.Run(d.name, func(t *testing.T) {
			table := topic + "_" + d.name
			r.Drain("up-"+table, sinkConfig(topic, d.url, "table.name.format", table))
			changed := r.Topic("jdbc_update_changes", 1)
			r.Produce(changed, 1, 5, 10, func(i int) *kgo.Record { return order(i, 3, false) })
			r.Drain("upd-"+table, sinkConfig(changed, d.url, "table.name.format", table, "insert.mode", "update",
				"auto.create", "false", "delete.enabled", "false"))
			var n, renamed int
			d.db.QueryRow("SELECT COUNT(*), SUM(CASE WHEN name LIKE '%xxx' THEN 1 ELSE 0 END) FROM "+table).Scan(&n, &renamed)
			if n != 10 || renamed != 5 {
				t.Fatalf("%d rows, %d updated; want 10 rows with ids 5..9 updated and no new rows", n, renamed)
			}
			kt := table + "_kafka"
			r.Drain("kafka-"+kt, sinkConfig(topic, d.url, "table.name.format", kt, "insert.mode", "insert",
				"pk.mode", "kafka", "pk.fields", "", "delete.enabled", "false"))
			var tp string
			var part, off int64
			if err := d.db.QueryRow("SELECT __connect_topic, __connect_partition, __connect_offset FROM "+kt+" WHERE id = 7").Scan(&tp, &part, &off); err != nil || tp != topic || part != 0 || off != 7 {
				t.Fatalf("kafka key of id 7: %s %d %d %v", tp, part, off, err)
			}
		})
	}
}

// The database drops the sink's connection in the middle of its transaction
// (pg_terminate_backend): the write fails as retriable, the runtime retries
// (errors.retry.timeout), the sink replays the records of the lost
// transaction into a new one, and the invocation ends with every row once.
func TestJDBCLostConnectionReplays(t *testing.T) {
	r := newRig(t)
	d := r.dbs[0]
	topic := r.Topic("jdbc_lost", 1)
	const n = 40000
	r.Produce(topic, 1, 0, n, func(i int) *kgo.Record { return order(i, 100, false) })
	if _, err := d.db.Exec("CREATE TABLE " + topic + " (id BIGINT PRIMARY KEY, name TEXT NOT NULL, amount DOUBLE PRECISION NOT NULL, ts TIMESTAMP NOT NULL, active BOOLEAN NOT NULL, note TEXT)"); err != nil {
		t.Fatal(err)
	}
	killed := make(chan int, 1)
	go func() {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			var pid int
			err := d.db.QueryRow(`SELECT l.pid FROM pg_locks l JOIN pg_class c ON l.relation = c.oid
				WHERE c.relname = $1 AND l.mode = 'RowExclusiveLock' AND l.granted LIMIT 1`, topic).Scan(&pid)
			if err == nil {
				d.db.Exec("SELECT pg_terminate_backend($1)", pid)
				killed <- pid
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		killed <- 0
	}()
	cfg := sinkConfig(topic, d.url, "batch.size", "500", "errors.retry.timeout", "30000")
	res, err := r.H.Handle(context.Background(), r.Invocation("lost-"+topic, cfg))
	if err != nil {
		t.Fatalf("invocation: %v", err)
	}
	if pid := <-killed; pid == 0 {
		t.Fatal("never saw the sink's transaction to terminate it")
	}
	if res.Read != n {
		t.Fatalf("read %d, want %d", res.Read, n)
	}
	checkTable(t, d, topic, 0, n, func(int) bool { return false }, 100)
}
