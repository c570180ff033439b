//go:build integration

package functions_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kgo"
)

// reportRow prints one line of the fault-test table and appends it to the
// file named by FAULT_REPORT (make test prints that file at the end).
func reportRow(t *testing.T, name string, produced, delivered, lost, dups int64) {
	line := fmt.Sprintf("| %-64s | %9d | %9d | %4d | %10d |", name, produced, delivered, lost, dups)
	t.Log(line)
	if path := os.Getenv("FAULT_REPORT"); path != "" {
		if f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(f, line)
			f.Close()
		}
	}
}

func seeds(t *testing.T) []string {
	s := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if s == "" {
		t.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka redis nats)\"`")
	}
	return strings.Split(s, ",")
}

func handlerWith(t *testing.T, store functions.OffsetStore, id string, plugins ...connectors.Plugin) *functions.Handler {
	t.Helper()
	h, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(append(builtin.Plugins(), plugins...)...),
		Store: store, Seeds: seeds(t), InstanceID: id})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

func kafkaClient(t *testing.T, opts ...kgo.Opt) *kgo.Client {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(seeds(t)...)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

const structSchema = `{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"string","optional":true,"field":"note"}],"optional":false}`

func good(id int, note string) string {
	return fmt.Sprintf(`{"schema":%s,"payload":{"id":%d,"note":%q}}`, structSchema, id, note)
}

// poison is one kind of bad record and the stage that must report it.
type poison struct {
	name, stage, value string
}

var poisons = []poison{
	{"invalid JSON", functions.StageValueConverter, `{"schema": {"type":`},
	{"wrong schema", functions.StageValueConverter, `{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"}],"optional":false},"payload":{"id":"abc"}}`},
	{"transform throws", functions.StageTransformation, `{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"field":"note"}],"optional":false},"payload":{"note":"no id"}}`},
	{"sink rejects", functions.StageTaskPut, good(9999, "reject")},
}

// produceStream writes values to a fresh one-partition topic, each with an
// original header the DLQ must keep, and returns the topic.
func produceStream(t *testing.T, prefix string, values []string) string {
	topic := fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1e9)
	cl := kafkaClient(t, kgo.AllowAutoTopicCreation(), kgo.DefaultProduceTopic(topic))
	var recs []*kgo.Record
	for i, v := range values {
		recs = append(recs, &kgo.Record{Value: []byte(v), Headers: []kgo.RecordHeader{{Key: "orig", Value: []byte(strconv.Itoa(i))}}})
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	return topic
}

func sinkInvocation(name, topic string, epoch int64, extra map[string]string) functions.Invocation {
	cfg := map[string]string{"name": name, "connector.class": "test.standin.CollectingSinkConnector", "topics": topic,
		"tasks.max": "1", "task.id": "0", "transforms": "key", "transforms.key.type": "org.apache.kafka.connect.transforms.ValueToKey",
		"transforms.key.fields": "id"}
	for k, v := range extra {
		cfg[k] = v
	}
	return functions.Invocation{ID: fmt.Sprintf("%s-0-%d", name, epoch), Connector: name, Epoch: epoch,
		Class: cfg["connector.class"], Config: cfg, Deadline: time.Now().Add(20 * time.Second), MaxRecords: 1000}
}

// drain runs invocations with fresh epochs until one fails or reports no more work.
func drain(t *testing.T, h *functions.Handler, store state.Store, mk func(epoch int64) functions.Invocation) (functions.Result, error) {
	for round := 0; ; round++ {
		inv := mk(0)
		epoch, err := store.NextEpoch(context.Background(), inv.Connector, 0)
		if err != nil {
			t.Fatal(err)
		}
		res, err := h.Handle(context.Background(), mk(epoch))
		if err != nil || !res.More || round > 50 {
			return res, err
		}
	}
}

// A poison record with errors.tolerance=none fails the task with a trace
// naming the stage, topic, partition and offset; nothing is committed past it.
func TestPoisonToleranceNone(t *testing.T) {
	store := redisStore(t)
	for _, pz := range poisons {
		t.Run(pz.name, func(t *testing.T) {
			values := []string{good(0, "a"), good(1, "b"), good(2, "c"), pz.value, good(4, "d")}
			topic := produceStream(t, "poison-none", values)
			sink := &collectingSink{}
			h := handlerWith(t, store, "poison", sinkPlugin(sink))
			name := topic + "-sink"
			res, err := drain(t, h, store, func(e int64) functions.Invocation { return sinkInvocation(name, topic, e, nil) })
			if err == nil || res.State != functions.StateFailed {
				t.Fatalf("want FAILED, got %s (%v)", res.State, err)
			}
			for _, want := range []string{"Tolerance exceeded in error handler", "'" + pz.stage + "'", "topic='" + topic + "'", "partition=0", "offset=3"} {
				if !strings.Contains(res.Trace, want) {
					t.Fatalf("trace lacks %q:\n%s", want, res.Trace)
				}
			}
			delivered := int64(len(sink.snapshot()))
			reportRow(t, "poison "+pz.name+", tolerance=none (task FAILED)", int64(len(values)), delivered, 0, 0)
		})
	}
}

// With errors.tolerance=none and a DLQ the failed record is still reported
// to the DLQ (as Kafka Connect does) before the task fails.
func TestPoisonToleranceNoneStillReportsToDLQ(t *testing.T) {
	store := redisStore(t)
	values := []string{good(0, "a"), poisons[1].value, good(2, "c")}
	topic := produceStream(t, "poison-none-dlq", values)
	sink := &collectingSink{}
	h := handlerWith(t, store, "poison", sinkPlugin(sink))
	name := topic + "-sink"
	extra := map[string]string{"errors.deadletterqueue.topic.name": topic + "-dlq", "errors.deadletterqueue.context.headers.enable": "true"}
	res, err := drain(t, h, store, func(e int64) functions.Invocation { return sinkInvocation(name, topic, e, extra) })
	if err == nil || res.State != functions.StateFailed {
		t.Fatalf("want FAILED, got %s (%v)", res.State, err)
	}
	letters := readAll(t, topic+"-dlq", 1, false)
	if len(letters) != 1 || string(letters[0].Value) != values[1] || headerMap(letters[0])[functions.HeaderOffset] != "1" {
		t.Fatalf("DLQ after a tolerance=none failure: %d records %v", len(letters), letters)
	}
}

// With errors.tolerance=all and a DLQ, every bad record is in the DLQ with
// its original bytes and the __connect.errors.* headers, every good record is
// delivered once, and the counts match exactly.
func TestPoisonToleranceAllDLQ(t *testing.T) {
	store := redisStore(t)
	var values []string
	bad := map[int]poison{}
	for i := 0; i < 24; i++ {
		if i%6 == 5 {
			pz := poisons[len(bad)]
			bad[i] = pz
			values = append(values, pz.value)
			continue
		}
		values = append(values, good(i, "ok"))
	}
	topic := produceStream(t, "poison-all", values)
	dlq := topic + "-dlq"
	sink := &collectingSink{}
	h := handlerWith(t, store, "poison", sinkPlugin(sink))
	name := topic + "-sink"
	extra := map[string]string{"errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
		"errors.deadletterqueue.context.headers.enable": "true", "errors.log.enable": "true", "errors.log.include.messages": "true"}
	res, err := drain(t, h, store, func(e int64) functions.Invocation { return sinkInvocation(name, topic, e, extra) })
	if err != nil || res.State != functions.StateRunning {
		t.Fatalf("want RUNNING, got %s: %v", res.State, err)
	}
	got := sink.snapshot()
	seen := map[int64]int{}
	for _, id := range got {
		seen[id]++
	}
	for i := range values {
		if _, isBad := bad[i]; !isBad && seen[int64(i)] != 1 {
			t.Fatalf("good record %d delivered %d times", i, seen[int64(i)])
		}
	}
	if len(got) != len(values)-len(bad) {
		t.Fatalf("delivered %d records, want %d", len(got), len(values)-len(bad))
	}
	letters := readAll(t, dlq, len(bad), false)
	if len(letters) != len(bad) {
		t.Fatalf("DLQ has %d records, want %d", len(letters), len(bad))
	}
	for _, l := range letters {
		checkDeadLetter(t, l, topic, name, values, bad)
	}
	reportRow(t, "poison stream, tolerance=all + DLQ (good delivered)", int64(len(values)-len(bad)), int64(len(got)), 0, 0)
	reportRow(t, "poison stream, tolerance=all + DLQ (bad in DLQ)", int64(len(bad)), int64(len(letters)), 0, 0)
}

func headerMap(r *kgo.Record) map[string]string {
	m := map[string]string{}
	for _, h := range r.Headers {
		m[h.Key] = string(h.Value)
	}
	return m
}

func checkDeadLetter(t *testing.T, l *kgo.Record, topic, name string, values []string, bad map[int]poison) {
	t.Helper()
	hs := headerMap(l)
	off, _ := strconv.Atoi(hs[functions.HeaderOffset])
	pz, ok := bad[off]
	if !ok {
		t.Fatalf("DLQ record for offset %d, which is a good record: %v", off, hs)
	}
	if string(l.Value) != values[off] || hs["orig"] != strconv.Itoa(off) || l.Headers[0].Key != "orig" {
		t.Fatalf("DLQ record for offset %d does not carry the original bytes: %q headers %v", off, l.Value, hs)
	}
	want := map[string]string{functions.HeaderTopic: topic, functions.HeaderPartition: "0", functions.HeaderConnector: name,
		functions.HeaderTask: "0", functions.HeaderStage: pz.stage}
	for k, v := range want {
		if hs[k] != v {
			t.Fatalf("DLQ record %d: header %s=%q, want %q (all: %v)", off, k, hs[k], v, hs)
		}
	}
	for _, k := range []string{functions.HeaderClass, functions.HeaderExceptionClass, functions.HeaderExceptionMsg, functions.HeaderExceptionTrace} {
		if hs[k] == "" {
			t.Fatalf("DLQ record %d: header %s missing (all: %v)", off, k, hs)
		}
	}
}

// readAll reads a topic from the start until want records arrived or 15s passed.
func readAll(t *testing.T, topic string, want int, committed bool) []*kgo.Record {
	opts := []kgo.Opt{kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}
	if committed {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl := kafkaClient(t, opts...)
	var out []*kgo.Record
	deadline := time.Now().Add(15 * time.Second)
	for len(out) < want && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		f := cl.PollFetches(ctx)
		cancel()
		out = append(out, f.Records()...)
	}
	return out
}

// A source record its converter cannot serialize goes to the DLQ (ferry
// extension) with its source partition and offset; the rest is produced and
// the offsets move past both.
func TestSourceDLQExtension(t *testing.T) {
	store := redisStore(t)
	topic := fmt.Sprintf("src-dlq-%d", time.Now().UnixNano()%1e9)
	bad := map[int]bool{3: true, 11: true}
	const n = 20
	h := handlerWith(t, store, "src", sourcePlugin(topic, n, bad))
	name := topic + "-src"
	cfg := map[string]string{"name": name, "connector.class": "test.standin.BadSourceConnector", "tasks.max": "1", "task.id": "0",
		"errors.tolerance": "all", "errors.deadletterqueue.topic.name": topic + "-dlq", "errors.deadletterqueue.context.headers.enable": "true"}
	res, err := drain(t, h, store, func(e int64) functions.Invocation {
		return functions.Invocation{ID: "x", Connector: name, Epoch: e, Class: cfg["connector.class"], Config: cfg, Deadline: time.Now().Add(20 * time.Second)}
	})
	if err != nil || res.Failed != int64(len(bad)) || res.Written != n-int64(len(bad)) {
		t.Fatalf("result %+v err %v", res, err)
	}
	letters := readAll(t, topic+"-dlq", len(bad), false)
	for _, l := range letters {
		hs := headerMap(l)
		if hs[functions.HeaderSourcePartition] != `{"standin":"p0"}` || hs[functions.HeaderStage] != functions.StageValueConverter || hs[functions.HeaderTopic] != topic {
			t.Fatalf("source dead letter headers: %v", hs)
		}
		if !strings.HasPrefix(hs[functions.HeaderSourceOffset], `{"pos":`) {
			t.Fatalf("source offset header: %v", hs)
		}
	}
	delivered := readAll(t, topic, n-len(bad), false)
	if len(letters) != len(bad) || len(delivered) != n-len(bad) {
		t.Fatalf("DLQ %d records (want %d), topic %d (want %d)", len(letters), len(bad), len(delivered), n-len(bad))
	}
	reportRow(t, "source poison, tolerance=all + DLQ (ferry extension)", n, int64(len(delivered)+len(letters)), 0, 0)
}

// Retriable sink failures are retried with backoff within errors.retry.timeout;
// with no retry budget the invocation reports RETRYING and commits nothing.
func TestRetriablePut(t *testing.T) {
	store := redisStore(t)
	topic := produceStream(t, "retry", []string{good(0, "a"), good(1, "b")})
	for _, tc := range []struct {
		timeout string
		state   string
		puts    int
	}{{"10000", functions.StateRunning, 3}, {"0", functions.StateRetrying, 1}} {
		sink := &collectingSink{failPuts: 2}
		h := handlerWith(t, store, "retry", sinkPlugin(sink))
		name := fmt.Sprintf("%s-sink-%s", topic, tc.timeout)
		start := time.Now()
		epoch, _ := store.NextEpoch(context.Background(), name, 0)
		res, _ := h.Handle(context.Background(), sinkInvocation(name, topic, epoch, map[string]string{"errors.retry.timeout": tc.timeout}))
		if res.State != tc.state || sink.puts != tc.puts {
			t.Fatalf("retry.timeout=%s: state %s after %d puts, want %s after %d (%s)", tc.timeout, res.State, sink.puts, tc.state, tc.puts, res.Trace)
		}
		if el := time.Since(start); tc.puts == 3 && el < 900*time.Millisecond {
			t.Fatalf("two backoffs (300ms, 600ms) took only %s", el)
		}
	}
}
