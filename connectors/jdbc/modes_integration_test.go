//go:build integration

package jdbc_test

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Three tables over tasks.max=2: two tasks, every table in exactly one, and
// every row of every table in Kafka once.
func TestTablesSplitAcrossTasks(t *testing.T) {
	d := databases(t)[1] // MariaDB
	base := uniq("split")
	var tables []string
	for i := 0; i < 3; i++ {
		tbl := fmt.Sprintf("%s_%d", base, i)
		tables = append(tables, tbl)
		createTable(t, d, tbl)
		d.exec(t, fmt.Sprintf("INSERT INTO %s (name, n) VALUES ('a', 1), ('b', 2), ('c', %d)", tbl, i))
	}
	hs := newHarness(t, base, map[string]string{"connection.url": d.jdbcURL, "mode": "incrementing",
		"table.whitelist": strings.Join(tables, ","), "topic.prefix": "split-", "tasks.max": "2"})
	tcs := hs.taskConfigs(2)
	if len(tcs) != 2 {
		t.Fatalf("%d task configs, want 2", len(tcs))
	}
	var assigned []string
	for i, tc := range tcs {
		assigned = append(assigned, strings.Split(tc["tables"], ",")...)
		hs.task = i
		var done atomic.Bool
		done.Store(true)
		hs.runUntil(tc, 0, &done)
	}
	sort.Strings(assigned)
	if len(assigned) != 3 || !strings.HasSuffix(assigned[0], tables[0]) || !strings.HasSuffix(assigned[2], tables[2]) {
		t.Fatalf("tables assigned %v, want each of %v once", assigned, tables)
	}
	for _, tbl := range tables {
		if got := consume(t, "split-"+tbl, 3, 20*time.Second); len(got) != 3 {
			t.Errorf("%s: %d records, want 3", tbl, len(got))
		}
	}
}

// timestamp mode with 250 rows sharing one timestamp and batch.max.rows=100:
// no row is skipped at a batch boundary, none is read twice.
func TestTimestampModeEqualTimestamps(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			tbl := uniq("tsgroup")
			createTable(t, d, tbl)
			ts := "'2024-01-01 00:00:00'"
			var vals []string
			for i := 0; i < 250; i++ {
				vals = append(vals, fmt.Sprintf("('g', %d, %s)", i, ts))
			}
			vals = append(vals, "('later', 1000, '2024-01-02 00:00:00')")
			d.exec(t, "INSERT INTO "+tbl+" (name, n, updated_at) VALUES "+strings.Join(vals, ","))
			hs := newHarness(t, tbl, map[string]string{"connection.url": d.jdbcURL, "mode": "timestamp",
				"timestamp.column.name": "updated_at", "table.whitelist": tbl, "topic.prefix": "tsg-", "batch.max.rows": "100"})
			tc := hs.taskConfigs(1)[0]
			var done atomic.Bool
			done.Store(true)
			hs.runUntil(tc, 0, &done)
			got := consume(t, "tsg-"+tbl, 251, 20*time.Second)
			seen := map[string]int{}
			for _, r := range got {
				seen[fmt.Sprint(r["n"])]++
			}
			if len(got) != 251 || len(seen) != 251 {
				t.Fatalf("%d records, %d distinct, want 251 once each", len(got), len(seen))
			}
		})
	}
}

// query mode: the query's rows under topic.prefix, incrementing on its column.
func TestQueryMode(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			tbl := uniq("q")
			createTable(t, d, tbl)
			d.exec(t, "INSERT INTO "+tbl+" (name, n) VALUES ('keep', 1), ('drop', 2), ('keep', 3)")
			topic := "q-" + tbl
			hs := newHarness(t, tbl, map[string]string{"connection.url": d.jdbcURL, "mode": "incrementing",
				"query": "SELECT id, n * 10 AS n10 FROM " + tbl + " WHERE name = 'keep'", "incrementing.column.name": "id",
				"topic.prefix": topic})
			tcs := hs.taskConfigs(4)
			if len(tcs) != 1 {
				t.Fatalf("query mode: %d tasks, want 1", len(tcs))
			}
			var done atomic.Bool
			done.Store(true)
			hs.runUntil(tcs[0], 0, &done)
			d.exec(t, "INSERT INTO "+tbl+" (name, n) VALUES ('keep', 4)")
			hs.runUntil(tcs[0], 0, &done)
			got := consume(t, topic, 3, 20*time.Second)
			var n10 []string
			for _, r := range got {
				n10 = append(n10, fmt.Sprint(r["n10"]))
			}
			if strings.Join(n10, ",") != "10,30,40" {
				t.Fatalf("query rows n10 = %v, want 10,30,40", n10)
			}
		})
	}
}
