//go:build integration

package postgrescdc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// A snapshot, then inserts, updates and deletes: every change once, in
// commit order, with op r/c/u/d and a tombstone after the delete; the
// slot's confirmed LSN advances.
func TestSnapshotThenStream(t *testing.T) {
	conn := pg(t)
	name := uniq("cdc")
	tbl := name + "_items"
	exec(t, conn, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY, label TEXT, qty INT NOT NULL)",
		"INSERT INTO "+tbl+" SELECT g, 'l'||g, g FROM generate_series(1, 2500) g")
	dropSlot(t, conn, name)
	cfg := connectorConfig(t, name, "public."+tbl)
	cfg["snapshot.fetch.size"] = "1000"
	hs := newHarness(t, cfg)
	if n := hs.drain(1000); n != 2500 {
		t.Fatalf("snapshot read %d, want 2500", n)
	}
	lsn0 := confirmedLSN(t, conn, name)
	exec(t, conn, "INSERT INTO "+tbl+" VALUES (3000, 'new', 1)",
		"UPDATE "+tbl+" SET qty = 42 WHERE id = 1",
		"DELETE FROM "+tbl+" WHERE id = 2")
	if n := hs.drainAtLeast(1000, 4); n != 4 {
		t.Fatalf("stream read %d, want 4 (c, u, d, tombstone)", n)
	}
	lsn1 := confirmedLSN(t, conn, name)
	if lsn1 <= lsn0 {
		t.Fatalf("slot confirmed LSN did not advance: %d -> %d", lsn0, lsn1)
	}
	got := consume(t, name+".public."+tbl, 2504, 30*time.Second)
	if len(got) != 2504 {
		t.Fatalf("got %d records, want 2504", len(got))
	}
	for i := 0; i < 2500; i++ {
		p := payload(got[i].Value)
		after := p["after"].(map[string]any)
		if p["op"] != "r" || after["id"].(json.Number).String() != fmt.Sprint(i+1) {
			t.Fatalf("snapshot record %d: %v", i, p)
		}
	}
	if s := payload(got[2499].Value)["source"].(map[string]any)["snapshot"]; s != "last" {
		t.Errorf("last snapshot record has source.snapshot %v, want last", s)
	}
	ops := []string{"c", "u", "d"}
	for i, op := range ops {
		if p := payload(got[2500+i].Value); p["op"] != op {
			t.Fatalf("stream record %d: op %v, want %s: %v", i, p["op"], op, p)
		}
	}
	if got[2503].Value != nil || payload(got[2503].Key)["id"].(json.Number).String() != "2" {
		t.Fatalf("want a tombstone keyed id=2 after the delete, got key %v value %v", got[2503].Key, got[2503].Value)
	}
	t.Logf("slot %s confirmed LSN %d -> %d", name, lsn0, lsn1)
}

func confirmedLSN(t *testing.T, conn *pgx.Conn, slot string) int64 {
	t.Helper()
	var n int64
	if err := conn.QueryRow(context.Background(), "SELECT (confirmed_flush_lsn - '0/0')::bigint FROM pg_replication_slots WHERE slot_name = $1", slot).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
