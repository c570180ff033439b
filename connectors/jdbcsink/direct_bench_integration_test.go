//go:build integration

package jdbcsink_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kgo"
)

// BenchmarkJDBCSinkVsDirect compares, in one run, the JDBC sink upserting
// into PostgreSQL with the same client library (pgx, with the sink's
// connection config) writing the same rows directly, each side into an empty
// table made like the one the sink created in an unmeasured run first:
//
//   - sink: ferry's JDBC sink draining the topic (insert.mode=upsert,
//     pk.mode=record_key, batch.size 3000): it reads the 30,000 records of
//     about 1.5 KiB (JsonConverter envelopes with schemas; the key an int64
//     envelope) from Kafka, converts them, runs multi-row INSERT ... ON
//     CONFLICT DO UPDATE statements of 3,000 rows in one transaction (with a
//     savepoint around each), commits it, then commits the offsets in a
//     Kafka transaction.
//   - direct (x-direct, cpu-x-direct): pgx alone running the same statements
//     (same text, same 3,000 rows each) in one transaction; the rows are
//     built before it starts, nothing read from Kafka.
//   - direct from Kafka (x-direct-kafka, cpu-x-direct-kafka): a hand-written
//     pipeline, sinktest.FromKafka (franz-go with the sink's fetch settings,
//     one plain offset commit) reading the same records in slices of 3,000,
//     decoding key and value envelopes with encoding/json into Go values,
//     and running the same statements with pgx in one transaction, committed
//     before the offsets.
//
// The three tables are checked to hold the same rows. It reports the sink's
// wall time and CPU as multiples of each baseline's (the target is 1.5 or
// less) and records per CPU-second of this process for all three (the
// database and the broker are not counted).
func BenchmarkJDBCSinkVsDirect(b *testing.B) {
	const batch = 3000
	r := newRig(b)
	pg := r.dbs[0]
	u, err := dialect.ParseURL(pg.url)
	if err != nil {
		b.Fatal(err)
	}
	pcfg, err := dialect.PgxConfig(u)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	topic := r.Topic("jdbc_direct", 1)
	r.Produce(topic, 1, 0, benchRecords, benchOrder)
	r.Drain("warmup-"+topic, map[string]string{"connector.class": file.SinkClass, "topics": topic,
		"file": filepath.Join(b.TempDir(), "warmup.txt")})
	r.Drain("create-"+topic, sinkConfig(topic, pg.url, "table.name.format", topic+"_warm"))
	cols := columns(b, pg, topic+"_warm")
	rows := make([][]any, benchRecords)
	for i := range rows {
		rows[i] = benchRow(i)
	}
	for it := 0; it < b.N; it++ {
		tables := map[string]string{}
		for _, side := range []string{"sink", "direct", "kafka"} {
			tables[side] = fmt.Sprintf("%s_%s%d", topic, side, it)
			if _, err := pg.db.Exec(fmt.Sprintf("CREATE TABLE %s (LIKE %s INCLUDING ALL)", tables[side], topic+"_warm")); err != nil {
				b.Fatal(err)
			}
		}
		conn, err := pgx.ConnectConfig(ctx, pcfg)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		sink, sinkCPU := sinktest.Measure(func() {
			r.Drain(fmt.Sprintf("bench-%d-%s", it, topic), sinkConfig(topic, pg.url, "table.name.format", tables["sink"]))
		})
		runtime.GC()
		direct, directCPU := sinktest.Measure(func() {
			upsert(b, conn, tables["direct"], cols, batch, func(yield func([]any)) {
				for _, row := range rows {
					yield(row)
				}
			})
		})
		runtime.GC()
		tx, err := conn.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		fromKafka, fromKafkaCPU := r.FromKafka(topic, benchRecords, batch, func(recs []*kgo.Record) {
			upsertIn(b, tx, tables["kafka"], cols, len(recs), func(yield func([]any)) {
				for _, rec := range recs {
					yield(decodeOrder(b, rec))
				}
			})
		}, func() {
			if err := tx.Commit(ctx); err != nil {
				b.Fatal(err)
			}
		})
		conn.Close(ctx)
		for _, side := range []string{"direct", "kafka"} {
			if n := pg.count(b, tables[side]); n != benchRecords {
				b.Fatalf("%s: %d rows, want %d", tables[side], n, benchRecords)
			}
			var diff int
			q := fmt.Sprintf("SELECT COUNT(*) FROM (SELECT * FROM %s EXCEPT SELECT * FROM %s) d", tables["sink"], tables[side])
			if err := pg.db.QueryRow(q).Scan(&diff); err != nil || diff != 0 {
				b.Fatalf("%s and %s differ in %d rows (%v)", tables["sink"], tables[side], diff, err)
			}
		}
		sinktest.Report(b, "JDBC upsert PostgreSQL", benchRecords, sink, sinkCPU, sinktest.Baseline{Name: "direct", Wall: direct, CPU: directCPU},
			sinktest.Baseline{Name: "direct-kafka", Wall: fromKafka, CPU: fromKafkaCPU})
	}
}

// columns lists table's columns in order, the key (id) first as the sink
// creates it.
func columns(b *testing.B, d *database, table string) []string {
	rows, err := d.db.Query("SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position", table)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			b.Fatal(err)
		}
		out = append(out, c)
	}
	if strings.Join(out, ",") != "id,name,amount,ts,active,note" {
		b.Fatalf("%s has columns %v, want id,name,amount,ts,active,note", table, out)
	}
	return out
}

// benchRow is benchOrder(i)'s row: id, name, amount, ts, active, note.
func benchRow(i int) []any {
	return []any{int64(i), text(i, 960), float64(i%1000) + 0.25, base.Add(time.Duration(i) * time.Second).UTC(), true, nil}
}

// decodeOrder decodes a record of benchOrder as a hand-written consumer
// would: the key and value envelopes with encoding/json.
func decodeOrder(b *testing.B, rec *kgo.Record) []any {
	var k struct{ Payload int64 }
	var v struct {
		Payload struct {
			Name   string  `json:"name"`
			Amount float64 `json:"amount"`
			TS     int64   `json:"ts"`
			Active bool    `json:"active"`
			Note   *string `json:"note"`
		}
	}
	if err := json.Unmarshal(rec.Key, &k); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(rec.Value, &v); err != nil {
		b.Fatal(err)
	}
	p := v.Payload
	return []any{k.Payload, p.Name, p.Amount, time.UnixMilli(p.TS).UTC(), p.Active, p.Note}
}

// upsert runs the rows of each in statements of batch rows in one transaction.
func upsert(b *testing.B, conn *pgx.Conn, table string, cols []string, batch int, each func(yield func([]any))) {
	tx, err := conn.Begin(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var rows [][]any
	each(func(row []any) {
		if rows = append(rows, row); len(rows) == batch {
			upsertIn(b, tx, table, cols, len(rows), func(yield func([]any)) {
				for _, r := range rows {
					yield(r)
				}
			})
			rows = rows[:0]
		}
	})
	if len(rows) > 0 {
		upsertIn(b, tx, table, cols, len(rows), func(yield func([]any)) {
			for _, r := range rows {
				yield(r)
			}
		})
	}
	if err := tx.Commit(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// upsertIn runs one multi-row upsert of n rows in tx, the statement the sink
// runs: INSERT INTO "t" ("id",...) VALUES ($1,...),... ON CONFLICT ("id") DO
// UPDATE SET "name"=EXCLUDED."name",...
func upsertIn(b *testing.B, tx pgx.Tx, table string, cols []string, n int, each func(yield func([]any))) {
	var q strings.Builder
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + c + `"`
	}
	fmt.Fprintf(&q, `INSERT INTO "%s" (%s) VALUES `, table, strings.Join(quoted, ","))
	for i := 0; i < n; i++ {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		for j := range cols {
			if j > 0 {
				q.WriteByte(',')
			}
			fmt.Fprintf(&q, "$%d", i*len(cols)+j+1)
		}
		q.WriteByte(')')
	}
	sets := make([]string, 0, len(cols)-1)
	for _, c := range quoted[1:] {
		sets = append(sets, c+"=EXCLUDED."+c)
	}
	fmt.Fprintf(&q, ` ON CONFLICT (%s) DO UPDATE SET %s`, quoted[0], strings.Join(sets, ","))
	args := make([]any, 0, n*len(cols))
	each(func(row []any) { args = append(args, row...) })
	if _, err := tx.Exec(context.Background(), q.String(), args...); err != nil {
		b.Fatalf("upserting %d rows into %s: %v", n, table, err)
	}
}
