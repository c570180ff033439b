//go:build integration

package postgrescdc_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium/oracle"
	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// A real ferry process reads a watermarked initial snapshot of 20,000 rows
// (chunks of 500) while updates, deletes and inserts run without pause; it
// is killed with SIGKILL twice, each time once it has closed three more
// chunk windows (mid-snapshot: 40 are needed), and started again.
// Once the changes stop, the topic replays to exactly the table's rows: no
// row missed, none resurrected, no update lost.
func TestKilledWorkerMidIncrementalSnapshot(t *testing.T) {
	bin := buildFerry(t)
	conn, dmlConn := pg(t), pg(t)
	const rows, chunk = 20000, 500
	name, tbl, sig := incSetup(t, conn, "inckill", rows)
	topic := name + ".public." + tbl
	cfg := incConfig(t, name, sig, "initial", chunk, "public."+tbl)
	cfg["poll.interval.ms"] = "100"
	file := connectorFile(t, name, cfg)
	adm := admin(t)

	// Changes all over the key range until stopped.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	changes := 0
	wg.Go(func() {
		rng := rand.New(rand.NewPCG(3, 4))
		for next := rows + 1; ; changes++ {
			select {
			case <-stop:
				return
			default:
			}
			id := 1 + rng.IntN(rows)
			q := fmt.Sprintf("UPDATE %s SET v = v + 1 WHERE id = %d", tbl, id)
			switch changes % 4 {
			case 1:
				q = fmt.Sprintf("DELETE FROM %s WHERE id = %d", tbl, id)
			case 2:
				q = fmt.Sprintf("INSERT INTO %s VALUES (%d, 1)", tbl, next)
				next++
			}
			if _, err := dmlConn.Exec(context.Background(), q); err != nil {
				t.Error(err)
				return
			}
		}
	})
	halt := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer halt()

	dataDir := t.TempDir()
	// The topic exists before the first record: a producer meeting an
	// unknown topic buffers its records until the broker has created it,
	// and they would all show at once.
	if _, err := adm.CreateTopic(context.Background(), 1, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { oracle.DeleteTopics(t, strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ","), name) })
	// Two kills, each once the process has closed three more chunk windows
	// (the high watermarks in the signalling table show its progress, ahead
	// of what Kafka shows); the snapshot needs rows/chunk windows, so fewer
	// than that closed means it was killed mid-snapshot.
	windows := func() int {
		var n int
		if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM "+sig+" WHERE type = 'snapshot-window-close'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var kills []int
	for at := 3; len(kills) < 2; at = kills[len(kills)-1] + 3 {
		proc := startStandalone(t, bin, dataDir, file)
		for deadline := time.Now().Add(60 * time.Second); windows() < at; time.Sleep(2 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("fewer than %d chunk windows closed in 60 s", at)
			}
		}
		_ = proc.Process.Signal(syscall.SIGKILL)
		_ = proc.Wait()
		if kills = append(kills, windows()); kills[len(kills)-1] >= rows/chunk {
			t.Fatalf("%d chunk windows closed at kill %d: not mid-snapshot", kills[len(kills)-1], len(kills))
		}
	}
	atKill := topicCount(t, adm, topic)
	startStandalone(t, bin, dataDir, file)
	// Let the snapshot run alongside the changes for a while, then stop them.
	waitCount(t, adm, topic, atKill+rows/2, 30*time.Second)
	halt()

	// Consume until the replay equals the table (bounded): the snapshot
	// ends and the stream catches up; a wrong row would never converge.
	want := tableRows(t, conn, tbl)
	consumer, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")...),
		kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	var msgs []sourcetest.Message
	var got map[string]string
	var reads int
	for deadline := time.Now().Add(60 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		consumer.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			msgs = append(msgs, sourcetest.Message{Key: sourcetest.Decode(t, r.Key), Value: sourcetest.Decode(t, r.Value)})
		})
		cancel()
		if got, reads = replay(t, msgs); len(got) == len(want) {
			if diff := countDiff(got, want); diff == 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			compareRows(t, got, want)
			t.Fatalf("the topic's %d records do not replay to the table's %d rows after 60 s", len(msgs), len(want))
		}
	}
	t.Logf("killed after %v chunk windows (%d records in Kafka); %d changes ran alongside; %d records, %d read events for %d rows at the end",
		kills, atKill, changes, len(msgs), reads, len(want))
}

// countDiff is how many ids differ between two replays.
func countDiff(got, want map[string]string) int {
	n := 0
	for id, v := range want {
		if got[id] != v {
			n++
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			n++
		}
	}
	return n
}
