//go:build integration

package postgrescdc_test

import (
	"context"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sourcetest"
)

// With heartbeat.interval.ms, an idle invocation writes Debezium's heartbeat
// record and the slot's confirmed LSN moves past WAL written by tables that
// are not captured, so PostgreSQL can release it.
func TestHeartbeatAdvancesSlot(t *testing.T) {
	conn := pg(t)
	name := uniq("hb")
	captured, other := name+"_a", name+"_b"
	exec(t, conn, "CREATE TABLE "+captured+" (id INT PRIMARY KEY)", "CREATE TABLE "+other+" (id INT PRIMARY KEY)")
	dropSlot(t, conn, name)
	cfg := connectorConfig(t, name, "public."+captured)
	cfg["snapshot.mode"] = "no_data"
	cfg["heartbeat.interval.ms"] = "100"
	hs := newHarness(t, cfg)
	hs.Invoke(100) // creates slot and publication
	exec(t, conn, "INSERT INTO "+other+" SELECT g FROM generate_series(1, 5000) g")
	var walAfter int64
	if err := conn.QueryRow(context.Background(), "SELECT (pg_current_wal_flush_lsn() - '0/0')::bigint").Scan(&walAfter); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	res := hs.Invoke(100)
	if res.State != "RUNNING" || res.Read != 1 {
		t.Fatalf("%s read %d, want one heartbeat: %s", res.State, res.Read, res.Trace)
	}
	// One heartbeat per idle invocation: the first one (which created the slot) and this one.
	got := consume(t, "__debezium-heartbeat."+name, 2, 20*time.Second)
	if len(got) != 2 || sourcetest.Payload(got[1].Key)["serverName"] != name || sourcetest.Payload(got[1].Value)["ts_ms"] == nil {
		t.Fatalf("heartbeats: %d, last key %v value %v", len(got), got[len(got)-1].Key, got[len(got)-1].Value)
	}
	if lsn := confirmedLSN(t, conn, name); lsn < walAfter {
		t.Fatalf("slot confirmed LSN %d, want at least %d (past the other table's WAL)", lsn, walAfter)
	}
}
