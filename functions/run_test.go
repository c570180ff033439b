package functions_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/file"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// These tests run the functions' data path (runSource, runSink) against
// franz-go's in-process broker kfake and a file state store in a temporary
// directory: no services. The integration tests run the same paths on the
// real broker.

// rig is one in-process broker, one store and a handler with the stand-in plugins.
type rig struct {
	t       *testing.T
	h       *functions.Handler
	store   *file.Store
	kafka   *kgo.Client
	admin   *kadm.Client
	seeds   []string
	cluster *kfake.Cluster
}

func newRig(t *testing.T, plugins ...connectors.Plugin) *rig {
	t.Helper()
	return newRigWith(t, functions.Options{Plugins: connectors.NewRegistry(plugins...)})
}

// newRigWith is newRig with the handler's options opts (their store, seeds,
// instance and logger are the rig's).
func newRigWith(t *testing.T, opts functions.Options) *rig {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	store, err := file.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	opts.Store, opts.Seeds, opts.InstanceID = store, c.ListenAddrs(), "unit"
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := functions.NewHandler(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &rig{t: t, h: h, store: store, kafka: cl, admin: kadm.NewClient(cl), seeds: c.ListenAddrs(), cluster: c}
}

// invoke takes the task's next epoch and runs one invocation with cfg.
func (r *rig) invoke(class string, cfg map[string]string) (functions.Result, error) {
	r.t.Helper()
	ctx := context.Background()
	epoch, err := r.store.NextEpoch(ctx, cfg["name"], 0)
	if err != nil {
		r.t.Fatal(err)
	}
	return r.h.Handle(ctx, functions.Invocation{ID: "i" + strconv.FormatInt(epoch, 10), Connector: cfg["name"], Epoch: epoch,
		Class: class, Config: cfg, Deadline: time.Now().Add(5 * time.Second)})
}

// produce writes values to topic and waits for the acknowledgements.
func (r *rig) produce(topic string, values ...string) {
	r.t.Helper()
	for _, v := range values {
		if err := r.kafka.ProduceSync(context.Background(), &kgo.Record{Topic: topic, Value: []byte(v)}).FirstErr(); err != nil {
			r.t.Fatal(err)
		}
	}
}

// values reads topic from the start up to its end offset.
func (r *rig) values(topic string) []string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ends, err := r.admin.ListEndOffsets(ctx, topic)
	if err != nil {
		r.t.Fatal(err)
	}
	end, _ := ends.Lookup(topic, 0)
	var out []string
	if end.Offset <= 0 {
		return out
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(r.seeds...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		r.t.Fatal(err)
	}
	defer cl.Close()
	for int64(len(out)) < end.Offset {
		f := cl.PollFetches(ctx)
		if err := f.Err(); err != nil {
			r.t.Fatalf("reading %s: %v", topic, err)
		}
		f.EachRecord(func(kr *kgo.Record) { out = append(out, string(kr.Value)) })
	}
	return out
}

// groupOffset is the committed offset of the sink's group on topic[0], -1 when none.
func (r *rig) groupOffset(connector, topic string) int64 {
	r.t.Helper()
	offs, err := r.admin.FetchOffsets(context.Background(), functions.GroupID(connector))
	if errors.Is(err, kerr.GroupIDNotFound) {
		return -1
	}
	if err != nil {
		r.t.Fatal(err)
	}
	if o, ok := offs.Lookup(topic, 0); ok && o.Err == nil {
		return o.At
	}
	return -1
}

// sourceOffset is the committed "pos" of the stand-in source partition, -1 when none.
func (r *rig) sourceOffset(connector string) int64 {
	r.t.Helper()
	entries, err := r.store.ReadOffsets(context.Background(), connector)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, e := range entries {
		return e.Offset["pos"].(int64)
	}
	return -1
}

// hookSource is the stand-in source with a hook run before each poll: it can
// fail the poll or act as a newer invocation taking the task over.
type hookSource struct {
	topicSource
	hook func(poll int) error
	poll int
}

func (s *hookSource) Poll(ctx context.Context) ([]*connectors.Record, error) {
	s.poll++
	if s.hook != nil {
		if err := s.hook(s.poll); err != nil {
			return nil, err
		}
	}
	return s.topicSource.Poll(ctx)
}

func hookSourcePlugin(topic string, n int, bad map[int]bool, hook func(int) error) connectors.Plugin {
	p := sourcePlugin(topic, n, bad)
	p.NewSource = func() connectors.SourceTask {
		return &hookSource{topicSource: topicSource{badSource: badSource{n: n, bad: bad}, topic: topic}, hook: hook}
	}
	return p
}

func TestRunSource(t *testing.T) {
	const n = 20
	retriable := connectors.Retriable(errors.New("stand-in source: database unreachable"))
	cases := []struct {
		name      string
		bad       map[int]bool
		cfg       map[string]string
		hook      func(r *rig, poll int) error
		state     string
		delivered int   // records on the topic
		dlq       int   // records on the dead-letter topic
		committed int64 // committed pos, -1 for none
	}{
		{name: "happy path", state: functions.StateRunning, delivered: n, committed: n - 1},
		{name: "poison, tolerance none", bad: map[int]bool{5: true}, state: functions.StateFailed,
			delivered: 5, dlq: 1, committed: -1,
			cfg: map[string]string{"errors.deadletterqueue.topic.name": "dlq"}},
		{name: "poison, tolerance all with DLQ", bad: map[int]bool{5: true, 12: true}, state: functions.StateRunning,
			delivered: n - 2, dlq: 2, committed: n - 1,
			cfg: map[string]string{"errors.tolerance": "all", "errors.deadletterqueue.topic.name": "dlq"}},
		{name: "fenced commit", state: functions.StateFenced, delivered: n, committed: -1,
			hook: func(r *rig, poll int) error {
				if poll == 2 { // a newer invocation takes the task over mid-run
					_, err := r.store.NextEpoch(context.Background(), "src", 0)
					return err
				}
				return nil
			}},
		{name: "retriable failure", state: functions.StateRetrying, delivered: 7, committed: -1,
			hook: func(_ *rig, poll int) error {
				if poll == 2 {
					return retriable
				}
				return nil
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r *rig
			hook := func(poll int) error {
				if tc.hook == nil {
					return nil
				}
				return tc.hook(r, poll)
			}
			r = newRig(t, hookSourcePlugin("out", n, tc.bad, hook))
			cfg := map[string]string{"name": "src", "connector.class": "test.standin.BadSourceConnector",
				"value.converter.schemas.enable": "false"}
			for k, v := range tc.cfg {
				cfg[k] = v
			}
			res, err := r.invoke("test.standin.BadSourceConnector", cfg)
			if res.State != tc.state || (err == nil) != (tc.state == functions.StateRunning) {
				t.Fatalf("state %s err %v, want %s", res.State, err, tc.state)
			}
			if got := len(r.values("out")); got != tc.delivered {
				t.Errorf("delivered %d, want %d", got, tc.delivered)
			}
			if tc.dlq > 0 {
				if got := len(r.values("dlq")); got != tc.dlq {
					t.Errorf("dead letters %d, want %d", got, tc.dlq)
				}
			}
			if got := r.sourceOffset("src"); got != tc.committed {
				t.Errorf("committed pos %d, want %d", got, tc.committed)
			}
		})
	}
}

// record is a JsonConverter value with a schema, as collectingSink reads it.
func record(id int, note string) string {
	return fmt.Sprintf(`{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},`+
		`{"type":"string","optional":true,"field":"note"}],"optional":false},"payload":{"id":%d,"note":%q}}`, id, note)
}

func TestRunSink(t *testing.T) {
	const n = 10
	cases := []struct {
		name      string
		poison    map[int]string // index -> value
		cfg       map[string]string
		failPuts  int
		takeover  bool // a newer invocation takes the task over during the run
		state     string
		written   int
		dlq       int
		committed int64
	}{
		{name: "happy path", state: functions.StateRunning, written: n, committed: n},
		{name: "poison, tolerance none", poison: map[int]string{3: `{"schema": {"type":`}, state: functions.StateFailed,
			dlq: 1, committed: -1, cfg: map[string]string{"errors.deadletterqueue.topic.name": "dlq"}},
		{name: "poison and rejected, tolerance all with DLQ", poison: map[int]string{3: `{"schema": {"type":`, 6: record(6, "reject")},
			state: functions.StateRunning, written: n - 2, dlq: 2, committed: n,
			cfg: map[string]string{"errors.tolerance": "all", "errors.deadletterqueue.topic.name": "dlq"}},
		{name: "fenced commit", takeover: true, state: functions.StateFenced, written: n, committed: -1},
		{name: "retriable failure", failPuts: 1, state: functions.StateRetrying, committed: -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := &collectingSink{failPuts: tc.failPuts}
			r := newRig(t, sinkPlugin(sink))
			values := make([]string, n)
			for i := range values {
				values[i] = record(i, "")
				if p, ok := tc.poison[i]; ok {
					values[i] = p
				}
			}
			r.produce("in", values...)
			if tc.takeover {
				sink.onPut = func() {
					if _, err := r.store.NextEpoch(context.Background(), "snk", 0); err != nil {
						t.Error(err)
					}
				}
			}
			cfg := map[string]string{"name": "snk", "connector.class": "test.standin.CollectingSinkConnector", "topics": "in"}
			for k, v := range tc.cfg {
				cfg[k] = v
			}
			res, err := r.invoke("test.standin.CollectingSinkConnector", cfg)
			if res.State != tc.state || (err == nil) != (tc.state == functions.StateRunning) {
				t.Fatalf("state %s err %v, want %s", res.State, err, tc.state)
			}
			if errors.Is(err, state.ErrFenced) != (tc.state == functions.StateFenced) {
				t.Errorf("err %v: fenced mismatch", err)
			}
			if got := len(sink.snapshot()); got != tc.written {
				t.Errorf("written %d, want %d", got, tc.written)
			}
			if tc.dlq > 0 {
				if got := len(r.values("dlq")); got != tc.dlq {
					t.Errorf("dead letters %d, want %d", got, tc.dlq)
				}
			}
			if got := r.groupOffset("snk", "in"); got != tc.committed {
				t.Errorf("group offset %d, want %d", got, tc.committed)
			}
		})
	}
}

// TestRunSourceOverran: an invocation whose batch did not finish before its
// deadline commits nothing and says it overran, so the scheduler shrinks
// the next batch.
func TestRunSourceOverran(t *testing.T) {
	r := newRig(t, hookSourcePlugin("out", 20, nil, func(poll int) error {
		time.Sleep(400 * time.Millisecond) // a starved machine: the poll outlasts the invocation
		return nil
	}))
	ctx := context.Background()
	epoch, err := r.store.NextEpoch(ctx, "src", 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.h.Handle(ctx, functions.Invocation{ID: "slow", Connector: "src", Epoch: epoch,
		Class: "test.standin.BadSourceConnector", Config: map[string]string{"name": "src", "connector.class": "test.standin.BadSourceConnector"},
		Deadline: time.Now().Add(300 * time.Millisecond)})
	if err == nil || !res.Overran || res.State == functions.StateRunning {
		t.Fatalf("state %s overran %v err %v; want an overran failure", res.State, res.Overran, err)
	}
	if got := r.sourceOffset("src"); got != -1 {
		t.Errorf("committed pos %d past the deadline", got)
	}
}

// TestSinkOffsetReset: a sink group without a commit starts where
// consumer.override.auto.offset.reset says: the log start (earliest, the
// default), its end (latest), or nowhere (none fails the task).
func TestSinkOffsetReset(t *testing.T) {
	for _, tc := range []struct {
		reset      string
		state      string
		first, all int // records written by the first invocation, and after 2 more arrive
	}{
		{"", functions.StateRunning, 3, 5},
		{"earliest", functions.StateRunning, 3, 5},
		{"latest", functions.StateRunning, 0, 2},
		{"none", functions.StateFailed, 0, 0},
	} {
		t.Run("reset="+tc.reset, func(t *testing.T) {
			sink := &collectingSink{}
			r := newRig(t, sinkPlugin(sink))
			r.produce("in", record(1, ""), record(2, ""), record(3, ""))
			cfg := map[string]string{"name": "snk", "connector.class": "test.standin.CollectingSinkConnector", "topics": "in"}
			if tc.reset != "" {
				cfg["consumer.override.auto.offset.reset"] = tc.reset
			}
			res, _ := r.invoke("test.standin.CollectingSinkConnector", cfg)
			if res.State != tc.state || len(sink.snapshot()) != tc.first {
				t.Fatalf("first: state %s wrote %d (%s), want %s and %d", res.State, len(sink.snapshot()), res.Trace, tc.state, tc.first)
			}
			if tc.state != functions.StateRunning {
				return
			}
			r.produce("in", record(4, ""), record(5, ""))
			if res, err := r.invoke("test.standin.CollectingSinkConnector", cfg); err != nil || len(sink.snapshot()) != tc.all {
				t.Fatalf("second: %s %v wrote %d, want %d", res.State, err, len(sink.snapshot()), tc.all)
			}
		})
	}
}
