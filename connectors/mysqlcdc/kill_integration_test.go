//go:build integration

package mysqlcdc_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/ferryhq/ferry/state/open"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestKillWorker kills the worker process (SIGKILL) twice during the
// snapshot of 30,000 rows and three times while it streams 20,000 inserts
// and 2,000 updates written meanwhile (the writer keeps going through each
// kill). After each kill a new worker resumes from the committed offsets:
// every row and change is in Kafka, the first occurrences of the streamed
// changes in commit order; duplicates are counted.
func TestKillWorker(t *testing.T) {
	if sinktest.AsChild(t, func(t *testing.T) {
		store, err := open.Open(context.Background(), "file:"+os.Getenv("MYSQLCDC_STORE"))
		if err != nil {
			t.Fatal(err)
		}
		hs := newHarnessOn(t, killConfig(t, os.Getenv("MYSQLCDC_NAME")), store)
		for {
			hs.Invoke(2000)
		}
	}) {
		return
	}
	conn := db(t)
	name := uniq("kill")
	exec(t, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(100))")
	var stmts []string
	for lo := 1; lo <= 30000; lo += 1000 {
		var vals []string
		for id := lo; id < lo+1000; id++ {
			vals = append(vals, fmt.Sprintf("(%d,%d,'%s')", id, id, strings.Repeat("p", 80)))
		}
		stmts = append(stmts, "INSERT INTO "+name+" VALUES "+strings.Join(vals, ","))
	}
	exec(t, conn, stmts...)
	topic := name + "." + mariadb(t).db + "." + name
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	count := func() int64 {
		ends, err := adm.ListEndOffsets(context.Background(), topic)
		if err != nil {
			return 0
		}
		var n int64
		ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
		return n
	}
	storeDir := t.TempDir()
	var out strings.Builder
	start := func() func() {
		cmd := sinktest.StartChild(t, &out, "MYSQLCDC_STORE="+storeDir, "MYSQLCDC_NAME="+name)
		return func() { _ = cmd.Process.Signal(syscall.SIGKILL); _ = cmd.Wait() }
	}
	waitFor := func(n int64, what string) {
		for deadline := time.Now().Add(40 * time.Second); count() < n; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d records in Kafka, want %d\n%s", what, count(), n, out.String())
			}
		}
	}
	kill := start()
	for _, at := range []int64{8000, 18000} { // during the snapshot
		waitFor(at, "snapshot")
		kill()
		kill = start()
	}
	want, done := killWorkload(t, name)
	for i, at := range []int64{33000, 40000, 46000} { // while streaming, the writer still writing
		waitFor(at, fmt.Sprintf("streaming kill %d", i+1))
		kill()
		kill = start()
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	total := int64(30000 + len(want))
	waitFor(total, "after the last restart")
	for n, stable := count(), 0; stable < 20; time.Sleep(100 * time.Millisecond) { // let duplicates land
		if m := count(); m != n {
			n, stable = m, 0
		} else {
			stable++
		}
	}
	kill()
	got := consume(t, topic, int(count()), 60*time.Second)
	dups := checkKilled(t, got, want)
	sinktest.ReportRow(t, "mysqlcdc: kill -9 of the worker x2 in snapshot, x3 streaming", total, int64(len(got)), 0, dups)
}

func killConfig(t testing.TB, name string) map[string]string {
	cfg := noSchemas(connectorConfig(t, name, name))
	cfg["snapshot.fetch.size"] = "500"
	cfg["max.batch.size"] = "500"
	return cfg
}

// killWorkload inserts rows 30001-50000 in 200-row transactions and updates
// every 10th of them, interleaved; want lists the changes in commit order.
func killWorkload(t *testing.T, table string) ([]string, <-chan error) {
	conn := db(t)
	var want, stmts []string
	for lo := 30001; lo <= 50000; lo += 200 {
		var vals []string
		for id := lo; id < lo+200; id++ {
			vals = append(vals, fmt.Sprintf("(%d,%d,'x')", id, id))
			want = append(want, fmt.Sprintf("c/%d/%d", id, id))
		}
		stmts = append(stmts, "INSERT INTO "+table+" VALUES "+strings.Join(vals, ","))
		stmts = append(stmts, fmt.Sprintf("UPDATE %s SET v = -v WHERE id BETWEEN %d AND %d AND id %% 10 = 0", table, lo, lo+199))
		for id := lo; id < lo+200; id++ {
			if id%10 == 0 {
				want = append(want, fmt.Sprintf("u/%d/%d", id, -id))
			}
		}
	}
	done := make(chan error, 1)
	go func() {
		for _, s := range stmts {
			if _, err := conn.Execute(s); err != nil {
				done <- err
				return
			}
			time.Sleep(5 * time.Millisecond) // keep writing through the kills
		}
		done <- nil
	}()
	return want, done
}

// checkKilled verifies every snapshot row and streamed change is present,
// the streamed changes' first occurrences in commit order; it returns the
// number of duplicate records.
func checkKilled(t *testing.T, got []sourcetest.Message, want []string) int64 {
	t.Helper()
	index := make(map[string]int, len(want))
	for i, w := range want {
		index[w] = i
	}
	seen := map[string]bool{}
	var dups int64
	last := -1
	for _, m := range got {
		key := changeKey(m)
		if key == "" && m.Value != nil { // a snapshot read
			key = fmt.Sprintf("r/%s", m.Value["after"].(map[string]any)["id"])
		} else if i, ok := index[key]; ok && !seen[key] {
			if i < last {
				t.Fatalf("change %s (commit position %d) first seen after position %d: not in commit order", key, i, last)
			}
			last = i
		} else if !ok {
			t.Fatalf("unexpected change %s", key)
		}
		if seen[key] {
			dups++
		}
		seen[key] = true
	}
	missing := 0
	for id := 1; id <= 30000; id++ {
		if !seen[fmt.Sprintf("r/%d", id)] {
			missing++
		}
	}
	for _, w := range want {
		if !seen[w] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d rows or changes missing", missing)
	}
	return dups
}
