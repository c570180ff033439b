//go:build integration

package e2e

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"
)

// TestDevBrokerKillFiveTimes: `ferry standalone` without --bootstrap-servers
// (make run) on its embedded development broker, kill -9 five times while
// datagen -> Kafka -> file runs: every acknowledged record survives the
// broker's crash, so the sink ends with every record (lost = 0).
func TestDevBrokerKillFiveTimes(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "orders.txt")
	port := freePort(t)
	env := []string{"FERRY_DATA_DIR=" + filepath.Join(dir, "data"), "FERRY_BOOTSTRAP_SERVERS=",
		"FERRY_LISTENERS=http://127.0.0.1:" + strconv.Itoa(port), "FERRY_MAX_RECORDS=5000"}
	a := api{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	const n = 100_000
	p := start(t, env, "standalone")
	a.waitReady()
	topic := uniqueName("devbroker")
	a.create(topic+"-src", map[string]string{
		"connector.class": "io.confluent.kafka.connect.datagen.DatagenConnector",
		"kafka.topic":     topic, "quickstart": "orders", "iterations": strconv.Itoa(n),
		"max.interval": "0", "random.seed": "7", "tasks.max": "1", "poll.interval.ms": "200"})
	a.create(topic+"-sink", map[string]string{"connector.class": "FileStreamSink", "topics": topic, "file": out,
		"tasks.max": "1", "poll.interval.ms": "200"})
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))
	var targets []int
	for range 5 {
		targets = append(targets, n/50+rng.IntN(n*3/4))
	}
	sort.Ints(targets)
	begin := time.Now()
	var at []int
	for _, target := range targets {
		waitFor(t, 3*time.Minute, "sink progress before the next kill", func() bool {
			_, unique, _, _ := fileCounts(out)
			return unique >= target
		})
		_, unique, _, _ := fileCounts(out)
		at = append(at, unique)
		p.kill()
		p = start(t, env, "standalone")
		a.waitReady()
	}
	waitFor(t, 5*time.Minute, "every record in the sink file after five kills", func() bool {
		_, unique, _, _ := fileCounts(out)
		return unique >= n
	})
	time.Sleep(time.Second)
	lines, unique, dups, torn := fileCounts(out)
	t.Logf("killed at sink progress %v of %d; %d lines, %d torn; %.1fs", at, n, lines, torn, time.Since(begin).Seconds())
	reportRow(t, "kill -9 ferry standalone x5 (dev broker): datagen->Kafka->file", n, int64(unique), int64(n-unique), int64(dups))
	if unique != n {
		t.Fatalf("sink file: %d unique of %d: the development broker lost acknowledged records", unique, n)
	}
}
