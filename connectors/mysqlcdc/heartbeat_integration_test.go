//go:build integration

package mysqlcdc_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sourcetest"
)

// TestHeartbeat: while only tables it does not capture change, the
// connector writes heartbeats on __debezium-heartbeat.<prefix> whose offset
// moves past those changes; an invocation writes one and ends.
func TestHeartbeat(t *testing.T) {
	conn := db(t)
	name := uniq("beat")
	other := name + "_other"
	exec(t, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY)", "CREATE TABLE "+other+" (id INT PRIMARY KEY)")
	cfg := connectorConfig(t, name, name)
	cfg["heartbeat.interval.ms"] = "100"
	cfg["snapshot.mode"] = "no_data"
	hs := newHarness(t, cfg)
	hs.DrainAtLeast(100, 1)
	before := committedPos(t, hs, name)
	for i := 0; i < 50; i++ {
		exec(t, conn, fmt.Sprintf("INSERT INTO %s VALUES (%d)", other, i))
	}
	_, end, _ := masterStatus(t, conn)
	for deadline := time.Now().Add(30 * time.Second); committedPos(t, hs, name) < end; time.Sleep(150 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("offset at %d, the uncaptured changes end at %d (started at %d)", committedPos(t, hs, name), end, before)
		}
		t0 := time.Now()
		hs.Invoke(100)
		if d := time.Since(t0); d > 10*time.Second {
			t.Fatalf("an idle invocation ran %v: a heartbeat must not keep it polling to its deadline", d)
		}
	}
	beats := consume(t, "__debezium-heartbeat."+name, 1, 20*time.Second)
	if len(beats) == 0 || sourcetest.Payload(beats[0].Key)["serverName"] != name {
		t.Fatalf("heartbeats %v", beats)
	}
}

// committedPos is the committed offset's binlog position.
func committedPos(t *testing.T, hs *harness, prefix string) int64 {
	t.Helper()
	entries, err := hs.Store.ReadOffsets(context.Background(), hs.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Partition["server"] == prefix {
			switch p := e.Offset["pos"].(type) {
			case float64:
				return int64(p)
			case int64:
				return p
			}
		}
	}
	return 0
}
