//go:build integration

package mysqlcdc_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/sourcetest"
)

// writeChanges runs the statements of a 100,000-row workload: inserts in
// 1,000-row transactions, every 10th row updated, every 20th deleted, each
// in commit order. want gets the change events ("c/id/v", "u/id/v",
// "d/id/-") in that order.
func writeChanges(t *testing.T, table string, rows int) (want []string, done <-chan error) {
	conn := db(t)
	for id := 1; id <= rows; id++ {
		want = append(want, fmt.Sprintf("c/%d/%d", id, id))
	}
	var stmts []string
	for lo := 1; lo <= rows; lo += 1000 {
		var vals []string
		for id := lo; id < lo+1000 && id <= rows; id++ {
			vals = append(vals, fmt.Sprintf("(%d,%d,'%s')", id, id, strings.Repeat("x", 150)))
		}
		stmts = append(stmts, "INSERT INTO "+table+" VALUES "+strings.Join(vals, ","))
	}
	for lo := 1; lo <= rows; lo += 10000 {
		stmts = append(stmts, fmt.Sprintf("UPDATE %s SET v = -v WHERE id BETWEEN %d AND %d AND id %% 10 = 0", table, lo, lo+9999))
		for id := lo; id <= lo+9999 && id <= rows; id++ {
			if id%10 == 0 {
				want = append(want, fmt.Sprintf("u/%d/%d", id, -id))
			}
		}
		stmts = append(stmts, fmt.Sprintf("DELETE FROM %s WHERE id BETWEEN %d AND %d AND id %% 20 = 5", table, lo, lo+9999))
		for id := lo; id <= lo+9999 && id <= rows; id++ {
			if id%20 == 5 {
				want = append(want, fmt.Sprintf("d/%d/-", id))
			}
		}
	}
	ch := make(chan error, 1)
	go func() {
		for _, s := range stmts {
			if _, err := conn.Execute(s); err != nil {
				ch <- fmt.Errorf("%.60s: %w", s, err)
				return
			}
		}
		ch <- nil
	}()
	return want, ch
}

// changeKey is "op/id/v" of a change event without schemas; "" for a
// tombstone or a snapshot read.
func changeKey(m sourcetest.Message) string {
	if m.Value == nil || m.Value["op"] == "r" {
		return ""
	}
	row, _ := m.Value["after"].(map[string]any)
	if m.Value["op"] == "d" {
		row = m.Value["before"].(map[string]any)
	}
	v := "-"
	if m.Value["op"] != "d" {
		v = row["v"].(json.Number).String()
	}
	return fmt.Sprintf("%s/%s/%s", m.Value["op"], row["id"].(json.Number), v)
}

// streamingTable creates an empty (id, v, pad) table and a connector that
// streams it (no snapshot, JSON without schemas, max.batch.size maxBatch),
// started past its CREATE TABLE.
func streamingTable(t *testing.T, prefix, maxBatch string) (string, *harness) {
	conn := db(t)
	name := uniq(prefix)
	exec(t, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(200))")
	cfg := noSchemas(connectorConfig(t, name, name))
	cfg["snapshot.mode"] = "no_data"
	cfg["max.batch.size"] = maxBatch
	hs := newHarness(t, cfg)
	hs.DrainAtLeast(100, 1) // the CREATE TABLE schema change: streaming from here
	return name, hs
}

// noSchemas makes the test's records small: JSON without schemas.
func noSchemas(cfg map[string]string) map[string]string {
	for _, side := range []string{"key", "value"} {
		cfg[side+".converter"] = "org.apache.kafka.connect.json.JsonConverter"
		cfg[side+".converter.schemas.enable"] = "false"
	}
	return cfg
}

// TestHundredThousandChanges streams 100,000 inserts, 10,000 updates and
// 5,000 deletes written while the connector runs: every change is in Kafka
// exactly once, in commit order.
func TestHundredThousandChanges(t *testing.T) {
	name, hs := streamingTable(t, "bulk", "4096")
	start := time.Now()
	want, done := writeChanges(t, name, 100000)
	total := int64(len(want) + 5000) // + tombstones
	var read int64
	writing := true
	for deadline := time.Now().Add(90 * time.Second); read < total; {
		if time.Now().After(deadline) {
			t.Fatalf("read %d of %d records in 90 s", read, total)
		}
		res := hs.Invoke(20000)
		if res.State != functions.StateRunning {
			t.Fatalf("%s: %s", res.State, res.Trace)
		}
		read += res.Read
		if writing {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				writing = false
			default:
			}
		}
	}
	elapsed := time.Since(start)
	got := consume(t, name+"."+mariadb(t).db+"."+name, int(total), 60*time.Second)
	var keys []string
	for _, m := range got {
		if k := changeKey(m); k != "" {
			keys = append(keys, k)
		}
	}
	if len(got) != int(total) || len(keys) != len(want) {
		t.Fatalf("%d records (%d changes), want %d (%d changes)", len(got), len(keys), total, len(want))
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("change %d is %s, want %s (commit order)", i, keys[i], want[i])
		}
	}
	t.Logf("%d changes (%d records) written and streamed in %v: %.0f records/s end to end while writing (2-core machine shared)",
		len(want), total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds())
}
