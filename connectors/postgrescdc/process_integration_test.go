//go:build integration

package postgrescdc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// buildFerry builds the ferry binary for process tests.
func buildFerry(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ferry")
	cmd := osexec.Command("go", "build", "-o", bin, "github.com/ferryhq/ferry")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building ferry: %v\n%s", err, out)
	}
	return bin
}

// startStandalone runs `ferry standalone` on a real Kafka with the
// connector file; it is killed at the end of the test.
func startStandalone(t *testing.T, bin, dataDir, connector string) *osexec.Cmd {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := osexec.Command(bin, "standalone", "--bootstrap-servers", env(t, "KAFKA_BOOTSTRAP_SERVERS"), "--data-dir", dataDir,
		"--listeners", fmt.Sprintf("http://127.0.0.1:%d", port), "--log-level", "warn", connector)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("ferry output:\n%s", out.String())
		}
	})
	return cmd
}

// connectorFile writes the connector JSON `ferry standalone` reads.
func connectorFile(t *testing.T, name string, cfg map[string]string) string {
	file := filepath.Join(t.TempDir(), "connector.json")
	raw, _ := json.Marshal(map[string]any{"name": name, "config": cfg})
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// admin is a Kafka admin client closed when the test ends.
func admin(t *testing.T) *kadm.Client {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

func topicCount(t *testing.T, adm *kadm.Client, topic string) int64 {
	ends, err := adm.ListEndOffsets(context.Background(), topic)
	if err != nil {
		return 0
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
	return n
}

func waitCount(t *testing.T, adm *kadm.Client, topic string, want int64, timeout time.Duration) int64 {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		n := topicCount(t, adm, topic)
		if n >= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// CDC through a real ferry process: snapshot, single-row inserts, updates,
// deletes and a 10,000-row transaction; the process is killed with SIGKILL
// right after the big transaction commits and started again. Every change
// is in Kafka afterwards (at least once), first occurrences in commit order,
// and the slot's confirmed LSN has moved past the last transaction.
func TestKilledWorkerMidStream(t *testing.T) {
	bin := buildFerry(t)
	conn := pg(t)
	name := uniq("kill")
	tbl := name + "_t"
	topic := name + ".public." + tbl
	exec(t, conn, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY, v INT NOT NULL)",
		"INSERT INTO "+tbl+" SELECT g, g FROM generate_series(1, 1000) g")
	dropSlot(t, conn, name)
	cfg := connectorConfig(t, name, "public."+tbl)
	cfg["snapshot.fetch.size"] = "400"
	cfg["poll.interval.ms"] = "100"
	file := connectorFile(t, name, cfg)
	adm := admin(t)
	dataDir := t.TempDir()
	proc := startStandalone(t, bin, dataDir, file)
	if n := waitCount(t, adm, topic, 1000, 60*time.Second); n < 1000 {
		t.Fatalf("snapshot: %d records in Kafka, want 1000", n)
	}
	// Streamed changes, in commit order (want lists the change events).
	var want []string
	for i := 2000; i < 2200; i++ {
		exec(t, conn, fmt.Sprintf("INSERT INTO %s VALUES (%d, %d)", tbl, i, i))
		want = append(want, fmt.Sprintf("c/%d/%d", i, i))
	}
	for i := 1; i <= 100; i++ {
		exec(t, conn, fmt.Sprintf("UPDATE %s SET v = %d WHERE id = %d", tbl, -i, i))
		want = append(want, fmt.Sprintf("u/%d/%d", i, -i))
	}
	for i := 901; i <= 950; i++ {
		exec(t, conn, fmt.Sprintf("DELETE FROM %s WHERE id = %d", tbl, i))
		want = append(want, fmt.Sprintf("d/%d/-", i))
	}
	pre := waitCount(t, adm, topic, int64(1000+len(want)+50), 30*time.Second)
	lsnBefore := confirmedLSN(t, conn, name)
	exec(t, conn, "INSERT INTO "+tbl+" SELECT g, g FROM generate_series(10000, 19999) g")
	for i := 10000; i < 20000; i++ {
		want = append(want, fmt.Sprintf("c/%d/%d", i, i))
	}
	// Kill as soon as the first records of the big transaction reach Kafka.
	for deadline := time.Now().Add(20 * time.Second); topicCount(t, adm, topic) == pre && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
	atKill := topicCount(t, adm, topic)
	_ = proc.Process.Signal(syscall.SIGKILL)
	_ = proc.Wait()
	var lastLSN int64
	if err := conn.QueryRow(context.Background(), "SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint").Scan(&lastLSN); err != nil {
		t.Fatal(err)
	}
	for i := 30000; i < 30100; i++ {
		exec(t, conn, fmt.Sprintf("INSERT INTO %s VALUES (%d, %d)", tbl, i, i))
		want = append(want, fmt.Sprintf("c/%d/%d", i, i))
	}
	startStandalone(t, bin, dataDir, file)
	total := int64(1000 + len(want) + 50) // + tombstones
	n := waitCount(t, adm, topic, total, 90*time.Second)
	for stable := 0; stable < 20; { // duplicates may reach the count early: wait for 2 s without growth
		time.Sleep(100 * time.Millisecond)
		if m := topicCount(t, adm, topic); m != n {
			n, stable = m, 0
		} else {
			stable++
		}
	}
	got := consume(t, topic, int(n), 60*time.Second)
	checkChanges(t, got, want)
	lsnAfter := confirmedLSN(t, conn, name)
	if lsnAfter <= lastLSN {
		t.Errorf("slot confirmed LSN %d has not passed the big transaction (WAL at %d before the last inserts; %d before it)", lsnAfter, lastLSN, lsnBefore)
	}
	t.Logf("killed with %d of the 10,000-row transaction's records in Kafka (%d before it); after restart %d records for %d expected: %d duplicates (at least once); slot confirmed LSN %d -> %d",
		atKill-pre, pre, len(got), total, int64(len(got))-total, lsnBefore, lsnAfter)
}

// checkChanges verifies the snapshot and every wanted change are present and
// that the first occurrences of the changes follow commit order.
func checkChanges(t *testing.T, got []sourcetest.Message, want []string) {
	t.Helper()
	index := make(map[string]int, len(want))
	for i, w := range want {
		index[w] = i
	}
	seen := map[string]bool{}
	snapshot := map[string]bool{}
	last := -1
	for _, m := range got {
		p := sourcetest.Payload(m.Value)
		if p == nil {
			continue // tombstone
		}
		op := p["op"].(string)
		row, _ := p["after"].(map[string]any)
		if op == "d" {
			row = p["before"].(map[string]any)
		}
		id := row["id"].(json.Number).String()
		if op == "r" {
			snapshot[id] = true
			continue
		}
		v := "-"
		if op != "d" {
			v = row["v"].(json.Number).String()
		}
		key := op + "/" + id + "/" + v
		i, ok := index[key]
		if !ok {
			t.Fatalf("unexpected change %s", key)
		}
		if !seen[key] {
			if i < last {
				t.Fatalf("change %s (commit position %d) first seen after position %d: not in commit order", key, i, last)
			}
			last = i
		}
		seen[key] = true
	}
	if len(snapshot) != 1000 {
		t.Errorf("snapshot: %d distinct rows, want 1000", len(snapshot))
	}
	var missing []string
	for _, w := range want {
		if !seen[w] {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d changes missing, first %v", len(missing), missing[:min(5, len(missing))])
	}
}
