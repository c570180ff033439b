//go:build integration

package jdbc_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// insertRows inserts total rows in batches of batch, sequentially, while
// the connector runs; it sets done at the end.
func insertRows(t *testing.T, d database, table string, total, batch int, done *atomic.Bool, errc chan<- error) {
	defer done.Store(true)
	for start := 0; start < total; start += batch {
		vals := make([]string, 0, batch)
		for i := start; i < min(start+batch, total); i++ {
			vals = append(vals, fmt.Sprintf("('row-%d', %d)", i, i))
		}
		if _, err := d.db.Exec("INSERT INTO " + table + " (name, n) VALUES " + strings.Join(vals, ",")); err != nil {
			errc <- err
			return
		}
	}
	errc <- nil
}

func createTable(t *testing.T, d database, table string) {
	if d.d.Name == "PostgreSqlDatabaseDialect" {
		d.exec(t, "CREATE TABLE "+table+" (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, n INT NOT NULL, updated_at TIMESTAMP(6) NOT NULL DEFAULT clock_timestamp())")
	} else {
		d.exec(t, "CREATE TABLE "+table+" (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL, n INT NOT NULL, updated_at DATETIME(6) NOT NULL DEFAULT NOW(6) ON UPDATE NOW(6))")
	}
}

func num(t *testing.T, v any) int64 {
	n, err := v.(json.Number).Int64()
	if err != nil {
		t.Fatalf("%v: %v", v, err)
	}
	return n
}

// 100,000 rows inserted while the connector runs: every row exactly once,
// in id order, in incrementing and timestamp+incrementing modes; updates are
// seen again in timestamp+incrementing mode.
func TestRowsWhileRunning(t *testing.T) {
	const total = 100000
	for _, d := range databases(t) {
		for _, mode := range []string{"incrementing", "timestamp+incrementing"} {
			t.Run(d.name+"/"+mode, func(t *testing.T) {
				table := uniq("rows")
				createTable(t, d, table)
				cfg := map[string]string{"connection.url": d.jdbcURL, "mode": mode, "table.whitelist": table,
					"topic.prefix": "jdbc-", "incrementing.column.name": "id", "batch.max.rows": "1000"}
				if mode != "incrementing" {
					cfg["timestamp.column.name"] = "updated_at"
				}
				hs := newHarness(t, table, cfg)
				tc := hs.taskConfigs(1)[0]
				var done atomic.Bool
				errc := make(chan error, 1)
				start := time.Now()
				go insertRows(t, d, table, total, 1000, &done, errc)
				n := hs.runUntil(tc, 100*time.Millisecond, &done)
				if err := <-errc; err != nil {
					t.Fatal(err)
				}
				elapsed := time.Since(start)
				updates := 0
				if mode != "incrementing" {
					updates = 1000
					set := "n = -n - 1"
					if d.name == "postgresql" {
						set += ", updated_at = clock_timestamp()"
					}
					d.exec(t, fmt.Sprintf("UPDATE %s SET %s WHERE id <= %d", table, set, updates))
					var stop atomic.Bool
					stop.Store(true)
					hs.runUntil(tc, 0, &stop)
				}
				got := consume(t, "jdbc-"+table, total+updates, 60*time.Second)
				if len(got) != total+updates {
					seen := map[int64]int{}
					for _, r := range got {
						seen[num(t, r["id"])]++
					}
					var odd []string
					for id := int64(1); id <= total && len(odd) < 10; id++ {
						if want := 1 + map[bool]int{true: 1}[id <= int64(updates)]; seen[id] != want {
							odd = append(odd, fmt.Sprintf("id %d seen %d times, want %d", id, seen[id], want))
						}
					}
					t.Fatalf("got %d records, want %d: %v", len(got), total+updates, odd)
				}
				for i := 0; i < total; i++ {
					if id := num(t, got[i]["id"]); id != int64(i+1) || got[i]["name"] != fmt.Sprintf("row-%d", i) {
						t.Fatalf("record %d: %v, want id %d (every row once, in order)", i, got[i], i+1)
					}
				}
				for i := 0; i < updates; i++ {
					r := got[total+i]
					if id, n := num(t, r["id"]), num(t, r["n"]); id != int64(i+1) || n != -int64(i)-1 {
						t.Fatalf("update %d: %v, want id %d n %d", i, r, i+1, -i-1)
					}
				}
				t.Logf("%s %s: %d rows in %d invocations while inserting, %.0f rows/s end to end",
					d.name, mode, total, n, float64(total)/elapsed.Seconds())
			})
		}
	}
}
