//go:build integration

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/datagen"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// reportRow prints one line of the fault-test table and appends it to the
// file named by FAULT_REPORT (make test prints that file at the end).
func reportRow(t *testing.T, name string, produced, delivered, lost, dups int64) {
	t.Helper()
	sinktest.ReportRow(t, name, produced, delivered, lost, dups)
}

// pipeline creates a datagen -> Kafka source and a Kafka -> file sink with
// extra source config; the sink reads with isolation.level=read_committed.
func pipeline(c *cluster, records int, out string, source map[string]string) (topic string) {
	topic = uniqueName("fault")
	// Created up front, so admin clients know it from the first record on.
	if _, err := kafkaAdmin(c.t, c.svc.kafka).CreateTopic(context.Background(), 1, 1, nil, topic); err != nil {
		c.t.Fatalf("creating topic %s: %v", topic, err)
	}
	cfg := map[string]string{
		"connector.class": "io.confluent.kafka.connect.datagen.DatagenConnector",
		"kafka.topic":     topic, "quickstart": "orders", "iterations": strconv.Itoa(records),
		"max.interval": "0", "random.seed": "7", "tasks.max": "1", "poll.interval.ms": "200",
	}
	for k, v := range source {
		cfg[k] = v
	}
	c.api.create(topic+"-src", cfg)
	c.api.create(topic+"-sink", map[string]string{
		"connector.class": "FileStreamSink", "topics": topic, "file": out, "tasks.max": "1", "poll.interval.ms": "200",
		"consumer.override.isolation.level": "read_committed",
	})
	return topic
}

// committedIterations reads topic with isolation.level=read_committed and
// counts records and distinct datagen iterations.
func committedIterations(t *testing.T, seeds string, topic string, want int) (n, unique int) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(seeds, ",")...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen := make(map[string]bool, want)
	idle := 0
	for idle < 3 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		f := cl.PollFetches(ctx)
		cancel()
		if f.NumRecords() == 0 {
			idle++
		}
		f.EachRecord(func(r *kgo.Record) {
			n++
			for _, h := range r.Headers {
				if h.Key == datagen.CurrentIterationKey {
					seen[string(h.Value)] = true
				}
			}
		})
	}
	return n, len(seen)
}

// Kill -9 the worker at random points of a 200,000-record pipeline, five
// times: the source loses nothing; with exactly-once a read_committed
// consumer sees no duplicate (at-least-once reports its duplicates); the
// file sink loses nothing (duplicates are reported: a sink is at-least-once).
func TestKillWorkerFiveTimes(t *testing.T) {
	t.Run("exactly-once", func(t *testing.T) { killFiveTimes(t, redisDB(13), true, 0) })
	t.Run("at-least-once", func(t *testing.T) { killFiveTimes(t, redisDB(15), false, 0) })
}

// TestKillWorkerFiveTimesKafkaState is the same with Kafka as the only
// store (ferry.state=kafka): offsets committed through per-task
// transactional producers, epochs in the ferry topic, no Redis.
func TestKillWorkerFiveTimesKafkaState(t *testing.T) {
	kafkaState := func(t testing.TB) *cluster { return newKafkaStateCluster(t) }
	t.Run("exactly-once", func(t *testing.T) { killFiveTimes(t, kafkaState, true, 0) })
	t.Run("at-least-once", func(t *testing.T) { killFiveTimes(t, kafkaState, false, 0) })
}

// redisDB starts clusters with Redis state in database db.
func redisDB(db int) func(testing.TB) *cluster {
	return func(t testing.TB) *cluster { return newCluster(t, db) }
}

// saturatingLoops is how many busy-loop processes saturate the machine in
// TestKillWorkerFiveTimesSaturated (the machine has 2 cores).
const saturatingLoops = 8

// TestKillWorkerFiveTimesSaturated is the at-least-once kill test with the
// machine saturated by busy loops for its whole duration: invocations that
// cannot finish their batch before the deadline must not livelock (the
// scheduler shrinks the batch of a task whose invocation overran), so every
// record is still delivered.
func TestKillWorkerFiveTimesSaturated(t *testing.T) {
	killFiveTimes(t, redisDB(8), false, saturatingLoops)
}

// busyLoops starts n busy-loop processes, killed when the test ends.
func busyLoops(t *testing.T, n int) {
	for range n {
		startCmd(t, nil, "/bin/sh", "-c", "while :; do :; done")
	}
}

func killFiveTimes(t *testing.T, newCluster func(testing.TB) *cluster, eos bool, busy int) {
	mode, src := "at-least-once", map[string]string{}
	if eos {
		mode, src = "exactly-once", map[string]string{"exactly.once.support": "required"}
	}
	slow := time.Duration(1) // waits stretch on a saturated machine
	if busy > 0 {
		busyLoops(t, busy)
		mode += fmt.Sprintf(", %d busy loops", busy)
		slow = 3
	}
	c := newCluster(t)
	w := c.worker()
	out := filepath.Join(t.TempDir(), "orders.txt")
	const n = 200_000
	begin := time.Now()
	topic := pipeline(c, n, out, src)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
	adm := kafkaAdmin(t, c.svc.kafka)
	// at records each kill's progress, from 0 to 2n: records in the topic
	// during the source phase, n plus distinct sink records in the sink phase.
	// Two kills while the source is producing (it writes about 200,000
	// records/s here): each as soon as the source has (re)started, after a
	// random 0-50ms more.
	var at []int
	for kill := 0; kill < 2; kill++ {
		from := max(topicCount(t, adm, topic), 0)
		for end := time.Now().Add(2 * slow * time.Minute); ; time.Sleep(5 * time.Millisecond) {
			if c := topicCount(t, adm, topic); c > from || c >= n || time.Now().After(end) {
				break
			}
		}
		time.Sleep(time.Duration(rng.IntN(50)) * time.Millisecond)
		at = append(at, int(topicCount(t, adm, topic)))
		w.kill()
		w = c.worker()
	}
	// Three kills in the sink phase, each a random 1-20,000 lines after the
	// sink file last grew past the previous kill. The sink writes at most a
	// batch per write and the file is tailed every 2 ms, so three kills use
	// far less than the n records still to come, on any machine: the kills
	// are mid-stream by construction, not by the speed of a poll.
	tail := &lineTail{path: out}
	for range 3 {
		target := tail.count() + 1 + rng.IntN(20_000)
		for end := time.Now().Add(2 * slow * time.Minute); tail.count() < target; time.Sleep(2 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("timed out waiting for sink line %d before the next kill", target)
			}
		}
		w.kill()
		_, unique, _, _ := fileCounts(out) // exact: the killed worker writes no more
		at = append(at, n+unique)
		w = c.worker()
	}
	waitFor(t, 4*slow*time.Minute, "every record in the sink file after five kills", func() bool {
		_, unique, _, _ := fileCounts(out)
		return unique >= n
	})
	time.Sleep(time.Second)
	lines, unique, dups, torn := fileCounts(out)
	got, distinct := committedIterations(t, c.svc.kafka, topic, n)
	t.Logf("killed at progress %v of %d (topic records + distinct sink records); %d torn lines; %.1fs", at, 2*n, torn, time.Since(begin).Seconds())
	if strings.Contains(strings.Join(c.env, " "), "FERRY_STATE=kafka") {
		mode += ", state in Kafka"
	}
	reportRow(t, "kill -9 worker x5: datagen->Kafka, "+mode+", read_committed", n, int64(distinct), int64(n-distinct), int64(got-distinct))
	reportRow(t, "kill -9 worker x5: Kafka->file sink (source "+mode+")", n, int64(unique), int64(n-unique), int64(dups))
	if distinct != n || (eos && got != n) {
		t.Fatalf("read_committed consumer: %d records, %d distinct; want %d distinct (exactly %d with exactly-once)", got, distinct, n, n)
	}
	if unique != n {
		t.Fatalf("sink file: lines=%d unique=%d dups=%d, want %d unique", lines, unique, dups, n)
	}
	for _, a := range at {
		if a >= 2*n {
			t.Fatalf("a kill came after the pipeline ended: %v", at)
		}
	}
}

// lineTail counts the lines of a growing file cheaply: each call reads only
// the bytes appended since the last one.
type lineTail struct {
	path  string
	off   int64
	lines int
}

// count returns the number of newlines in the file so far.
func (l *lineTail) count() int {
	f, err := os.Open(l.path)
	if err != nil {
		return l.lines
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		k, err := f.ReadAt(buf, l.off)
		l.off += int64(k)
		l.lines += bytes.Count(buf[:k], []byte{'\n'})
		if err != nil || k == 0 {
			return l.lines
		}
	}
}

// fileCounts reads the sink file: records, distinct order ids, duplicates, and
// torn records (a line cut by kill -9 in the middle of a write, or still being
// written; the record is written again whole by the next invocation).
func fileCounts(path string) (lines, unique, dups, torn int) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0, 0
	}
	seen := map[string]bool{}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break // the last line is still being written
		}
		line := b[:i]
		b = b[i+1:]
		lines++
		// A torn write is followed by the next whole record on the same line.
		segs := bytes.Split(line, []byte("Struct{ordertime="))
		for j, seg := range segs[1:] {
			m := orderID.FindSubmatch(seg)
			if m == nil || j < len(segs)-2 || !bytes.HasSuffix(seg, []byte("}}")) {
				torn++
				continue
			}
			if seen[string(m[1])] {
				dups++
			}
			seen[string(m[1])] = true
		}
	}
	return lines, len(seen), dups, torn
}
