//go:build integration

package postgrescdc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sourcetest"
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
	if n := hs.Drain(1000); n != 2500 {
		t.Fatalf("snapshot read %d, want 2500", n)
	}
	lsn0 := confirmedLSN(t, conn, name)
	exec(t, conn, "INSERT INTO "+tbl+" VALUES (3000, 'new', 1)",
		"UPDATE "+tbl+" SET qty = 42 WHERE id = 1",
		"DELETE FROM "+tbl+" WHERE id = 2")
	if n := hs.DrainAtLeast(1000, 4); n != 4 {
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
		p := sourcetest.Payload(got[i].Value)
		after := p["after"].(map[string]any)
		if p["op"] != "r" || after["id"].(json.Number).String() != fmt.Sprint(i+1) {
			t.Fatalf("snapshot record %d: %v", i, p)
		}
	}
	if s := sourcetest.Payload(got[2499].Value)["source"].(map[string]any)["snapshot"]; s != "last" {
		t.Errorf("last snapshot record has source.snapshot %v, want last", s)
	}
	ops := []string{"c", "u", "d"}
	for i, op := range ops {
		if p := sourcetest.Payload(got[2500+i].Value); p["op"] != op {
			t.Fatalf("stream record %d: op %v, want %s: %v", i, p["op"], op, p)
		}
	}
	if got[2503].Value != nil || sourcetest.Payload(got[2503].Key)["id"].(json.Number).String() != "2" {
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

// snapshot.mode=initial_only reads the table and then nothing more;
// snapshot.mode=never streams changes without reading existing rows.
func TestSnapshotModes(t *testing.T) {
	conn := pg(t)
	for _, mode := range []string{"initial_only", "never"} {
		t.Run(mode, func(t *testing.T) {
			name := uniq("mode")
			tbl := name + "_t"
			exec(t, conn, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY)", "INSERT INTO "+tbl+" SELECT generate_series(1, 10)")
			dropSlot(t, conn, name)
			cfg := connectorConfig(t, name, "public."+tbl)
			cfg["snapshot.mode"] = mode
			hs := newHarness(t, cfg)
			first := hs.Drain(100)
			exec(t, conn, "INSERT INTO "+tbl+" VALUES (11)")
			var later int64
			if mode == "never" {
				later = hs.DrainAtLeast(100, 1)
			} else {
				for i := 0; i < 3; i++ {
					later += hs.Invoke(100).Read
				}
			}
			want := map[string][2]int64{"initial_only": {10, 0}, "never": {0, 1}}[mode]
			if first != want[0] || later != want[1] {
				t.Fatalf("read %d then %d, want %d then %d", first, later, want[0], want[1])
			}
			var slots int
			conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1", name).Scan(&slots)
			if wantSlots := map[string]int{"initial_only": 0, "never": 1}[mode]; slots != wantSlots {
				t.Errorf("%d slots named %s, want %d (initial_only must not hold WAL)", slots, name, wantSlots)
			}
		})
	}
}
