//go:build integration

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
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

// offsetsBody is GET /connectors/{c}/offsets.
type offsetsBody struct {
	Offsets []struct {
		Partition map[string]any `json:"partition"`
		Offset    map[string]any `json:"offset"`
	} `json:"offsets"`
}

// showsCommitted checks that a runtime's GET /connectors/{c}/offsets shows
// c: exactly when the runtime runs no task yet, else c or later (it may
// have moved on from c by the time it answers).
func (m *migration) showsCommitted(a api, who string, c committed, exact bool) {
	wantPos, _ := c.source[0].Offset["position"].(int64)
	var pos, off int64
	waitFor(m.t, 30*time.Second, who+" to show the committed offsets", func() bool {
		var src, sink offsetsBody
		for name, dst := range map[string]*offsetsBody{m.src: &src, m.sink: &sink} {
			code, body := a.do("GET", "/connectors/"+name+"/offsets", nil)
			if code != 200 || json.Unmarshal(body, dst) != nil || len(dst.Offsets) != 1 {
				return false // not read its configs yet
			}
		}
		if !reflect.DeepEqual(src.Offsets[0].Partition, map[string]any{"filename": m.in}) {
			m.t.Fatalf("%s shows source partition %v, want the file %s", who, src.Offsets[0].Partition, m.in)
		}
		pos, off = number(src.Offsets[0].Offset["position"]), number(sink.Offsets[0].Offset["kafka_offset"])
		return true
	})
	if exact && (pos != wantPos || off != c.sink[0]) || pos < wantPos || off < c.sink[0] {
		m.t.Fatalf("%s shows source position %d and sink offset %d; committed were %d and %d", who, pos, off, wantPos, c.sink[0])
	}
	m.t.Logf("%s shows source position %d and sink offset %d; committed were %d and %d", who, pos, off, wantPos, c.sink[0])
}

// number is a JSON number as int64 (-1 when it is not one).
func number(v any) int64 {
	if f, ok := v.(float64); ok {
		return int64(f)
	}
	return -1
}

// addLacking writes a connector of a class ferry lacks to the config topic,
// with the records Kafka Connect writes on create (connector-, task-,
// commit-): the private worker has only the FileStream plugins, so it could
// not create one itself.
func (m *migration) addLacking(name string) []*kgo.Record {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(m.svc.kafka, ",")...))
	if err != nil {
		m.t.Fatal(err)
	}
	defer cl.Close()
	topic := propValue(m.t, m.props, "config.storage.topic")
	recs := []*kgo.Record{
		{Topic: topic, Key: []byte("connector-" + name), Value: []byte(`{"properties":{"connector.class":"` + lackingClass + `","tasks.max":"1","name":"` + name + `"}}`)},
		{Topic: topic, Key: []byte("task-" + name + "-0"), Value: []byte(`{"properties":{"connector.class":"` + lackingClass + `","tasks.max":"1","name":"` + name + `","task.class":"com.example.connect.CustomSourceTask"}}`)},
		{Topic: topic, Key: []byte("commit-" + name), Value: []byte(`{"tasks":1}`)},
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		m.t.Fatalf("writing connector %s to %s: %v", name, topic, err)
	}
	return recs
}

// configRecords reads the config topic: every record whose key ends with
// name (connector-, task-, commit-, target-state-), in order.
func (m *migration) configRecords(name string) []string {
	topic := propValue(m.t, m.props, "config.storage.topic")
	end := topicCount(m.t, kafkaAdmin(m.t, m.svc.kafka), topic)
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(m.svc.kafka, ",")...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.KeepControlRecords())
	if err != nil {
		m.t.Fatal(err)
	}
	defer cl.Close()
	var out []string
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for seen := int64(0); seen < end && ctx.Err() == nil; {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			seen = r.Offset + 1
			if k := string(r.Key); !r.Attrs.IsControl() && (strings.HasSuffix(k, "-"+name) || strings.HasPrefix(k, "task-"+name+"-")) {
				out = append(out, k+" => "+string(r.Value))
			}
		})
	}
	return out
}

// TestTakeOverFromKafkaConnect: Kafka Connect runs the pipeline and is
// stopped with SIGTERM mid-stream; ferry starts on its topics, lists its
// connectors, shows its committed offsets, continues from them, and shows a
// connector of a class it lacks as FAILED. The sink file ends with every
// line exactly once.
func TestTakeOverFromKafkaConnect(t *testing.T) { takeOver(t, syscall.SIGTERM, false) }

// TestTakeOverFromKilledKafkaConnect is the same after kill -9: no line is
// missing; duplicates (Kafka Connect's at-least-once after a crash) are reported.
func TestTakeOverFromKilledKafkaConnect(t *testing.T) { takeOver(t, syscall.SIGKILL, false) }

// TestTakeOverExactlyOnceFromKilledKafkaConnect: with exactly-once sources
// on both sides, Kafka Connect killed mid-transaction, ferry fences its
// transactional producer (the same transactional.id) and continues: the
// topic holds every line exactly once; the sink file's duplicates are only
// the FileStreamSink's own at-least-once.
func TestTakeOverExactlyOnceFromKilledKafkaConnect(t *testing.T) { takeOver(t, syscall.SIGKILL, true) }

func takeOver(t *testing.T, sig syscall.Signal, eos bool) {
	m := newMigrationEOS(t, eos)
	kc := startKafkaConnect(t, m.props)
	for name, cfg := range m.configs() {
		kc.api.create(name, cfg)
	}
	m.waitLines(20_000, 60*time.Second, "Kafka Connect")
	// Kafka Connect commits every offset.flush.interval.ms (1 s here): a
	// kill -9 before its first commits would only test a restart from zero.
	waitFor(t, 30*time.Second, "Kafka Connect to commit source and sink offsets", func() bool {
		var src, sink offsetsBody
		for name, dst := range map[string]*offsetsBody{m.src: &src, m.sink: &sink} {
			if code, body := kc.api.do("GET", "/connectors/"+name+"/offsets", nil); code != 200 || json.Unmarshal(body, dst) != nil || len(dst.Offsets) == 0 {
				return false
			}
		}
		return number(sink.Offsets[0].Offset["kafka_offset"]) >= 10_000
	})
	kcConfigs := map[string]string{}
	for name := range m.configs() {
		_, body := kc.api.do("GET", "/connectors/"+name+"/config", nil)
		kcConfigs[name] = string(body)
	}
	kc.stop(sig)
	m.lines.open()
	was := m.atStop(false)
	if eos {
		m.leaveTransactionOpen(was)
	}
	lacking := m.src + "-custom"
	var wrote []string
	for _, r := range m.addLacking(lacking) {
		wrote = append(wrote, string(r.Key)+" => "+string(r.Value))
	}

	f := m.ferry()
	a := f.api
	code, body := a.do("GET", "/connectors", nil)
	var names []string
	if code != 200 || json.Unmarshal(body, &names) != nil || len(names) != 3 {
		t.Fatalf("ferry: GET /connectors = %d %s; want %s, %s and %s", code, body, m.src, m.sink, lacking)
	}
	for name, want := range kcConfigs {
		var got, kcc map[string]string
		_, body := a.do("GET", "/connectors/"+name+"/config", nil)
		if json.Unmarshal(body, &got) != nil || json.Unmarshal([]byte(want), &kcc) != nil || !reflect.DeepEqual(got, kcc) {
			t.Fatalf("ferry: GET /connectors/%s/config = %s; Kafka Connect had %s", name, body, want)
		}
	}
	m.showsCommitted(a, "ferry", was.committed, true)
	m.worker(f)
	waitFor(t, 30*time.Second, "the connector of a class ferry lacks to show FAILED naming the class", func() bool {
		_, body := a.do("GET", "/connectors/"+lacking+"/status", nil)
		return strings.Contains(string(body), `"FAILED"`) && strings.Contains(string(body), lackingClass)
	})
	acct := m.waitAll(60*time.Second, "ferry")
	if got := m.configRecords(lacking); !reflect.DeepEqual(got, wrote) {
		t.Fatalf("the config topic's records of %s changed under ferry:\n%s\nwant only:\n%s", lacking, strings.Join(got, "\n"), strings.Join(wrote, "\n"))
	}
	name := map[syscall.Signal]string{syscall.SIGTERM: "take-over from Kafka Connect (SIGTERM)", syscall.SIGKILL: "take-over from Kafka Connect (kill -9)"}[sig]
	if eos {
		records, dups := m.topicDuplicates()
		name += ", exactly-once sources"
		reportRow(t, name, migrateLines, int64(acct.unique), int64(acct.missing), int64(acct.dups))
		t.Logf("%s: sink file %v; topic (read_committed) %d records, %d duplicates; sink lines uncommitted at the stop: %d", name, acct, records, dups, was.written-was.sink[0])
		if acct.missing != 0 || dups != 0 || records != migrateLines {
			t.Fatalf("%s: topic holds %d records, %d duplicates; sink file %v", name, records, dups, acct)
		}
		return
	}
	m.account(name, was, acct)
	if sig == syscall.SIGTERM && acct.dups != 0 {
		t.Fatalf("%s: %d duplicates after a graceful stop", name, acct.dups)
	}
}

// TestHandBackToKafkaConnect: ferry runs the pipeline on Kafka Connect's
// topics and is stopped (SIGTERM) mid-stream; a Kafka Connect worker started
// on the same properties runs ferry's connectors from ferry's offsets: every
// line exactly once.
func TestHandBackToKafkaConnect(t *testing.T) { handBack(t, syscall.SIGTERM) }

// TestHandBackAfterKilledFerry is the same after kill -9 of ferry's worker
// and scheduler: no line is missing, and the duplicates are exactly what
// ferry had done and not yet committed.
func TestHandBackAfterKilledFerry(t *testing.T) { handBack(t, syscall.SIGKILL) }

func handBack(t *testing.T, sig syscall.Signal) {
	m := newMigration(t)
	f := m.ferry()
	worker := m.worker(f)
	for name, cfg := range m.configs() {
		f.api.create(name, cfg)
	}
	m.waitLines(20_000, 60*time.Second, "ferry")
	for _, p := range []*proc{worker, f.sched} {
		if sig == syscall.SIGKILL {
			p.kill()
		} else {
			p.stop()
		}
	}
	m.lines.open()
	was := m.atStop(true)

	kc := startKafkaConnect(t, m.props)
	m.showsCommitted(kc.api, "Kafka Connect", was.committed, false)
	acct := m.waitAll(60*time.Second, "Kafka Connect")
	name := map[syscall.Signal]string{syscall.SIGTERM: "hand-back to Kafka Connect (ferry stopped with SIGTERM)",
		syscall.SIGKILL: "hand-back to Kafka Connect (ferry killed, kill -9)"}[sig]
	m.account(name, was, acct)
	if sig == syscall.SIGTERM && acct.dups != 0 {
		t.Fatalf("%s: %d duplicates after a graceful stop", name, acct.dups)
	}
}
