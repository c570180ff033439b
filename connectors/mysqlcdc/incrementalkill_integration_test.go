//go:build integration

package mysqlcdc_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/ferryhq/ferry/state/open"
)

// incKillConfig is the initial snapshot in watermarked chunks of 100.
func incKillConfig(t testing.TB, name, sig string) map[string]string {
	cfg := noSchemas(connectorConfig(t, name, name))
	cfg["signal.data.collection"] = sig
	cfg["incremental.snapshot.chunk.size"] = "100"
	cfg["max.batch.size"] = "100"
	cfg["tombstones.on.delete"] = "false"
	return cfg
}

// storeSnapshotting opens the (unlocked: its worker is dead) file store and
// reports whether the committed offset has an incremental snapshot running.
func storeSnapshotting(t *testing.T, dir, name string) bool {
	store, err := open.Open(context.Background(), "file:"+dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	entries, err := store.ReadOffsets(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := e.Offset[debezium.OffsetIncrementalCollections]; ok {
			return true
		}
	}
	return false
}

// TestIncrementalInitialKill reads a 20,000-row initial snapshot in
// watermarked chunks while a writer updates, deletes and inserts rows, and
// kills the worker (SIGKILL) mid-snapshot (the committed offset after the
// kill shows the snapshot running). The restarted worker resumes at the
// last chunk emitted: every row ends in its table state, no read is stale,
// and the reads repeated are fewer than two invocations' worth.
func TestIncrementalInitialKill(t *testing.T) {
	if sinktest.AsChild(t, func(t *testing.T) {
		store, err := open.Open(context.Background(), "file:"+os.Getenv("MYSQLCDC_STORE"))
		if err != nil {
			t.Fatal(err)
		}
		hs := newHarnessOn(t, incKillConfig(t, os.Getenv("MYSQLCDC_NAME"), os.Getenv("MYSQLCDC_SIG")), store)
		for {
			hs.Invoke(500)
		}
	}) {
		return
	}
	name := uniq("inckill")
	fillTable(t, name, 20000)
	sig := signalTable(t)
	topic := name + "." + mariadb(t).db + "." + name
	storeDir := t.TempDir()
	var out strings.Builder
	start := func() func() {
		cmd := sinktest.StartChild(t, &out, "MYSQLCDC_STORE="+storeDir, "MYSQLCDC_NAME="+name, "MYSQLCDC_SIG="+sig)
		return func() { _ = cmd.Process.Signal(syscall.SIGKILL); _ = cmd.Wait() }
	}
	count := func() int { return endOffsetOrZero(t, topic) }
	waitFor := func(n int, what string) {
		for deadline := time.Now().Add(40 * time.Second); count() < n; time.Sleep(2 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d records, want %d\n%s", what, count(), n, out.String())
			}
		}
	}
	stop := writer(t, name, 22000)
	kill := start()
	waitFor(3000, "before the kill")
	kill()
	if !storeSnapshotting(t, storeDir, name) {
		t.Fatalf("the kill came after the snapshot ended (%d records): it proves nothing", count())
	}
	atKill := count()
	kill = start()
	waitFor(atKill+3000, "after the restart")
	writes := stop()
	// Until the committed offset shows the snapshot ended: the topic quiet
	// for a second, the worker killed, its offset read (a worker still
	// snapshotting is restarted: one more kill).
	kills := 1
	for deadline := time.Now().Add(40 * time.Second); ; kills++ {
		for n, stable := count(), 0; stable < 10; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the topic still grows after 40 s\n%s", out.String())
			}
			if m := count(); m != n {
				n, stable = m, 0
			} else {
				stable++
			}
		}
		kill()
		if !storeSnapshotting(t, storeDir, name) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the snapshot did not end in 40 s\n%s", out.String())
		}
		kill = start()
	}
	msgs := consume(t, topic, count(), 30*time.Second)
	rows, reads := foldEvents(t, msgs, "true", "id")
	checkFinal(t, rows, tableState(t, name, "id"))
	readIDs := map[string]bool{}
	for _, m := range msgs {
		if m.Value != nil && m.Value["op"] == "r" {
			readIDs[m.Value["after"].(map[string]any)["id"].(json.Number).String()] = true
		}
	}
	// A kill repeats at most what its invocation wrote uncommitted: 500
	// records and the rest of a chunk.
	dups := reads - len(readIDs)
	if dups > 600*kills {
		t.Fatalf("%d reads repeated after %d kills: the snapshot did not resume at its last chunk", dups, kills)
	}
	t.Logf("%d writes; %d records, %d reads (%d repeated), killed at %d records, %d kills", writes, len(msgs), reads, dups, atKill, kills)
	sinktest.ReportRow(t, "mysqlcdc: kill -9 during the watermarked initial snapshot", int64(len(readIDs)), int64(reads), 0, int64(dups))
}
