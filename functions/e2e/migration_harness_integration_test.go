//go:build integration

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/kafka"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The take-over and hand-back tests move a FileStreamSource -> Kafka ->
// FileStreamSink pipeline over a 200,000-line file between a private Kafka
// Connect 4.1.1 distributed worker and ferry on the same worker properties
// (same group.id and internal topics). The source file is written up to
// migrateGate lines while the first runtime runs; the rest is written only
// after it stopped, so every stop is mid-stream by construction.
const (
	migrateLines = 200_000
	migrateGate  = 100_000
	// lackingClass is a connector class ferry does not have.
	lackingClass = "com.example.connect.CustomSourceConnector"
)

// migration is one test's pipeline: names, files, and the worker properties
// both runtimes read.
type migration struct {
	t                *testing.T
	svc              services
	dir, props       string
	in, out          string
	topic, src, sink string
	lines            *gatedLines
	eos              bool
}

func newMigration(t *testing.T) *migration { return newMigrationEOS(t, false) }

// newMigrationEOS is newMigration with exactly-once sources when eos: the
// worker's exactly.once.source.support=enabled (Kafka Connect), the
// source's exactly.once.support=required (both), the sink reading
// read_committed.
func newMigrationEOS(t *testing.T, eos bool) *migration {
	svc := needServices(t)
	dir := t.TempDir()
	group := uniqueName("migrate")
	m := &migration{t: t, svc: svc, dir: dir, in: filepath.Join(dir, "in.txt"), out: filepath.Join(dir, "out.txt"),
		topic: group + "-lines", src: group + "-src", sink: group + "-sink"}
	m.props = kafkaConnectProps(t, dir, svc.kafka, group, freePort(t))
	if m.eos = eos; eos {
		f, err := os.OpenFile(m.props, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		// A killed worker's open transactions abort after the producers'
		// transaction.timeout.ms; ferry's store reads its topics to their
		// high watermarks, so it starts once they did (10 s here, Kafka
		// Connect's default is 60 s).
		fmt.Fprintln(f, "exactly.once.source.support=enabled\nproducer.transaction.timeout.ms=10000")
		f.Close()
	}
	if _, err := kafkaAdmin(t, svc.kafka).CreateTopic(context.Background(), 1, 1, nil, m.topic); err != nil {
		t.Fatalf("creating topic %s: %v", m.topic, err)
	}
	m.lines = writeLines(t, m.in, migrateLines, migrateGate)
	return m
}

// configs are the two connector configs, as a user would POST them to either runtime.
func (m *migration) configs() map[string]map[string]string {
	c := map[string]map[string]string{
		m.src:  {"connector.class": "FileStreamSource", "file": m.in, "topic": m.topic, "tasks.max": "1"},
		m.sink: {"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "file": m.out, "topics": m.topic, "tasks.max": "1"},
	}
	if m.eos {
		c[m.src]["exactly.once.support"] = "required"
		c[m.sink]["consumer.override.isolation.level"] = "read_committed"
	}
	return c
}

// zombieLine is the record of the transaction leaveTransactionOpen leaves
// open: it must never reach the sink.
const zombieLine = "zombie-transaction"

// leaveTransactionOpen does what a Kafka Connect worker killed in the middle
// of an exactly-once transaction leaves behind, whatever the moment the
// test killed it at: the source task's transactional producer
// (<group.id>-<connector>-<task>) has written a record and an offset and
// neither committed nor aborted, with the worker's transaction timeout
// (producer.transaction.timeout.ms). ferry must not deliver the record.
func (m *migration) leaveTransactionOpen(st stopped) {
	id := propValue(m.t, m.props, "group.id") + "-" + m.src + "-0"
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(m.svc.kafka, ",")...), kgo.TransactionalID(id),
		kgo.TransactionTimeout(10*time.Second), kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
	if err != nil {
		m.t.Fatal(err)
	}
	m.t.Cleanup(cl.Close) // never ends the transaction
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.BeginTransaction(); err != nil {
		m.t.Fatal(err)
	}
	key, _ := state.OffsetKey(m.src, st.source[0].Partition)
	val, _ := state.OffsetValue(map[string]any{"position": int64(1 << 40)})
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: m.topic, Value: []byte(zombieLine)},
		&kgo.Record{Topic: propValue(m.t, m.props, "offset.storage.topic"), Key: key, Value: val}).FirstErr(); err != nil {
		m.t.Fatalf("the open transaction of %s: %v", id, err)
	}
}

// topicDuplicates reads the pipeline's topic with read_committed, as a
// consumer sees it, and counts the lines it holds more than once.
func (m *migration) topicDuplicates() (records, dups int) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	adm := kafkaAdmin(m.t, m.svc.kafka)
	ends, err := adm.ListCommittedOffsets(ctx, m.topic)
	if err != nil {
		m.t.Fatalf("last stable offset of %s: %v", m.topic, err)
	}
	end := ends[m.topic][0].Offset
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(m.svc.kafka, ",")...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{m.topic: {0: kgo.NewOffset().AtStart()}}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.KeepControlRecords())
	if err != nil {
		m.t.Fatal(err)
	}
	defer cl.Close()
	seen := map[string]bool{}
	for at := int64(0); at < end && ctx.Err() == nil; {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			at = r.Offset + 1
			if r.Attrs.IsControl() {
				return
			}
			records++
			if seen[string(r.Value)] {
				dups++
			}
			seen[string(r.Value)] = true
		})
	}
	return records, dups
}

// ferryProcs are a ferry scheduler and its environment.
type ferryProcs struct {
	api   api
	env   []string
	sched *proc
}

// ferry starts a ferry scheduler on the worker properties with --state
// kafka; no function runs until worker is called.
func (m *migration) ferry() *ferryProcs {
	port := freePort(m.t)
	f := &ferryProcs{api: api{t: m.t, base: fmt.Sprintf("http://127.0.0.1:%d", port)},
		env: []string{"FERRY_NATS_URL=" + m.svc.nats, "FERRY_NATS_SUBJECT=" + uniqueName("ferry.invoke.migrate"),
			fmt.Sprintf("FERRY_LISTENERS=http://127.0.0.1:%d", port), "FERRY_INVOCATION_TIMEOUT=5s", "FERRY_MAX_RECORDS=20000"}}
	f.sched = start(m.t, f.env, "scheduler", "--state", "kafka", m.props)
	f.api.waitReady()
	return f
}

// worker starts a ferry worker for the scheduler.
func (m *migration) worker(f *ferryProcs) *proc {
	return start(m.t, f.env, "worker", "--state", "kafka", "--concurrency", "2", m.props)
}

// waitLines waits until the sink file holds at least n lines.
func (m *migration) waitLines(n int, within time.Duration, who string) {
	waitFor(m.t, within, fmt.Sprintf("%s to write %d lines to the sink file", who, n), func() bool {
		lines, _ := lineCounts(m.out)
		return lines >= n
	})
}

// waitAll waits until every line is in the sink file, then until the file
// stops growing (late duplicates), and returns the accounting.
func (m *migration) waitAll(within time.Duration, who string) lineAccount {
	var a lineAccount
	waitFor(m.t, within, who+" to deliver every line", func() bool {
		a = accountLines(m.out, migrateLines)
		return a.missing == 0
	})
	for prev := -1; prev != a.lines; {
		prev = a.lines
		time.Sleep(1500 * time.Millisecond)
		a = accountLines(m.out, migrateLines)
	}
	return a
}

// committed is what a runtime committed: the source's offsets-topic entries
// and the sink's consumer-group offsets, read from Kafka.
type committed struct {
	source []state.OffsetEntry
	sink   map[int32]int64
}

// committed reads them as the next runtime will: ferry (and Kafka Connect
// with exactly-once sources) reads the offsets topic read_committed; Kafka
// Connect without reads it read_uncommitted, and so also sees the offsets
// of a transaction a killed ferry left open.
func (m *migration) committed(readUncommitted bool) committed {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	topic := propValue(m.t, m.props, "offset.storage.topic")
	src, err := kafka.New(strings.Split(m.svc.kafka, ","), topic).Read(ctx, m.src)
	if readUncommitted {
		src, err = m.readUncommitted(ctx, topic)
	}
	if err != nil {
		m.t.Fatalf("reading %s's committed offsets: %v", m.src, err)
	}
	groups, err := kafkaAdmin(m.t, m.svc.kafka).FetchOffsets(ctx, "connect-"+m.sink)
	if err != nil {
		m.t.Fatalf("reading group connect-%s: %v", m.sink, err)
	}
	sink := map[int32]int64{}
	for _, ps := range groups {
		for p, o := range ps {
			sink[p] = o.At
		}
	}
	return committed{source: src, sink: sink}
}

// readUncommitted reads the source's last offset from topic up to its high
// watermarks with read_uncommitted, as Kafka Connect's KafkaBasedLog does
// without exactly-once.
func (m *migration) readUncommitted(ctx context.Context, topic string) ([]state.OffsetEntry, error) {
	ends, err := kafkaAdmin(m.t, m.svc.kafka).ListEndOffsets(ctx, topic)
	if err != nil {
		return nil, err
	}
	want, start := map[int32]int64{}, map[int32]kgo.Offset{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			want[o.Partition], start[o.Partition] = o.Offset, kgo.NewOffset().AtStart()
		}
	})
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(m.svc.kafka, ",")...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: start}), kgo.KeepControlRecords())
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	var last *state.OffsetEntry
	for len(want) > 0 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			if r.Offset+1 >= want[r.Partition] {
				delete(want, r.Partition)
			}
			if name, part, ok := state.DecodeOffsetKey(r.Key); ok && name == m.src && !r.Attrs.IsControl() {
				off, _ := state.DecodeOffsetValue(r.Value)
				last = &state.OffsetEntry{Partition: part, Offset: off}
			}
		})
	}
	if last == nil {
		return nil, ctx.Err()
	}
	return []state.OffsetEntry{*last}, ctx.Err()
}

// stopped is the pipeline as the first runtime left it: what it committed,
// the records it produced, and the sink file's whole lines (torn when its
// last line was cut by kill -9).
type stopped struct {
	committed
	produced, written int64
	torn              bool
}

// atStop reads the pipeline right after the first runtime stopped, the
// offsets as the next one reads them (readUncommitted: see committed).
func (m *migration) atStop(readUncommitted bool) stopped {
	b, _ := os.ReadFile(m.out)
	// A produce request the broker received just before the kill may land
	// a moment later: count until the topic stops growing.
	adm := kafkaAdmin(m.t, m.svc.kafka)
	produced := topicCount(m.t, adm, m.topic)
	for prev := int64(-1); prev != produced; {
		prev = produced
		time.Sleep(300 * time.Millisecond)
		produced = topicCount(m.t, adm, m.topic)
	}
	st := stopped{committed: m.committed(readUncommitted), produced: produced,
		written: int64(bytes.Count(b, []byte("\n"))), torn: len(b) > 0 && b[len(b)-1] != '\n'}
	if len(st.source) != 1 || len(st.sink) != 1 {
		m.t.Fatalf("committed at the stop: %+v; want one source partition and one sink partition", st.committed)
	}
	return st
}

// redone is how many lines the second runtime must write again when it
// adds no duplicate of its own: the records the first produced after its
// last source-offset commit (each is read and produced again), plus the
// lines its sink wrote after its last consumer-group commit.
func (st stopped) redone() (source, sink int64) {
	pos, _ := st.source[0].Offset["position"].(int64)
	return st.produced - pos/int64(len("line-0000000\n")), st.written - st.sink[0]
}

// account reports and checks the sink file: every line there, the
// duplicates exactly the first runtime's uncommitted window.
func (m *migration) account(name string, st stopped, acct lineAccount) {
	src, sink := st.redone()
	reportRow(m.t, name, migrateLines, int64(acct.unique), int64(acct.missing), int64(acct.dups))
	m.t.Logf("%s: %v; uncommitted at the stop: %d source records, %d sink lines", name, acct, src, sink)
	torn := 0
	if st.torn {
		torn = 1 // the cut line is followed by the next runtime's first
	}
	if acct.missing != 0 || acct.foreign != torn || int64(acct.dups) != src+sink {
		m.t.Fatalf("%s: %v; want 0 missing, %d foreign and %d duplicates (%d source records + %d sink lines uncommitted at the stop)",
			name, acct, torn, src+sink, src, sink)
	}
}
