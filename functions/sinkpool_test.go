package functions_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// clientCounter counts the Kafka clients a handler connects
// (kgo.HookNewClient): transactional producers and the rest (consumers),
// and the records its consumers fetched (kgo.HookFetchBatchRead).
type clientCounter struct{ n, txn, fetched atomic.Int64 }

func (c *clientCounter) OnFetchBatchRead(_ kgo.BrokerMetadata, _ string, _ int32, m kgo.FetchBatchMetrics) {
	c.fetched.Add(int64(m.NumRecords))
}

func (c *clientCounter) OnNewClient(cl *kgo.Client) {
	if id, _ := cl.OptValue(kgo.TransactionalID).(string); id != "" {
		c.txn.Add(1)
	} else {
		c.n.Add(1)
	}
}

// countingRig is a rig whose handler counts the clients it connects after
// it started (its pooled producer and admin client, which Check builds, are
// not counted).
func countingRig(t *testing.T, plugins ...connectors.Plugin) (*rig, *clientCounter) {
	t.Helper()
	r := newRig(t, plugins...)
	cc := &clientCounter{}
	h, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(plugins...), Store: r.store, Seeds: r.seeds,
		InstanceID: "unit-pool", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), KafkaOpts: []kgo.Opt{kgo.WithHooks(cc)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	if err := h.Check(context.Background()); err != nil { // builds the admin client, made on first use
		t.Fatal(err)
	}
	r.h = h
	cc.n.Store(0)
	return r, cc
}

// invokeMax runs one invocation of the stand-in sink reading at most max records.
func (r *rig) invokeMax(cfg map[string]string, max int) (functions.Result, error) {
	r.t.Helper()
	epoch, err := r.store.NextEpoch(context.Background(), cfg["name"], 0)
	if err != nil {
		r.t.Fatal(err)
	}
	return r.h.Handle(context.Background(), functions.Invocation{ID: "i" + strconv.FormatInt(epoch, 10), Connector: cfg["name"], Epoch: epoch,
		Class: "test.standin.CollectingSinkConnector", Config: cfg, MaxRecords: max, Deadline: time.Now().Add(5 * time.Second)})
}

// ids is from..to-1.
func ids(from, to int) []int64 {
	var out []int64
	for i := from; i < to; i++ {
		out = append(out, int64(i))
	}
	return out
}

// TestSinkConsumerKeptAcrossInvocations: a worker keeps one sink consumer
// across invocations instead of connecting one per invocation (and commits
// through its pooled producer, connecting no transactional one), and a kept
// consumer carries nothing from the invocation before: each invocation reads
// from the group's committed offsets (even when they moved behind the
// client's back), and the consumer of a fenced invocation is closed.
func TestSinkConsumerKeptAcrossInvocations(t *testing.T) {
	const n = 30
	cases := []struct {
		name string
		// run runs the invocations; it returns the sink's expected ids.
		run       func(t *testing.T, r *rig, sink *collectingSink, cfg map[string]string) []int64
		consumers int64
		// fetched is how many records the consumers fetched, 0: not checked.
		fetched int64
	}{
		// The first fetch takes all n records: the later invocations read on
		// from what the warm consumer holds, fetching nothing again.
		{name: "clean invocations share one consumer", consumers: 1, fetched: n,
			run: func(t *testing.T, r *rig, _ *collectingSink, cfg map[string]string) []int64 {
				for i := 0; i < 3; i++ {
					if res, err := r.invokeMax(cfg, 10); err != nil || res.Written != 10 {
						t.Fatalf("invocation %d: wrote %d, %v", i, res.Written, err)
					}
				}
				return ids(0, n)
			}},
		{name: "a kept consumer starts at the committed offset, not its own position", consumers: 1,
			run: func(t *testing.T, r *rig, _ *collectingSink, cfg map[string]string) []int64 {
				if res, err := r.invokeMax(cfg, 5); err != nil || res.Written != 5 {
					t.Fatalf("first: wrote %d, %v", res.Written, err)
				}
				// The offsets are reset behind the worker's back (REST PATCH /offsets).
				var offs kadm.Offsets
				offs.Add(kadm.Offset{Topic: "in", Partition: 0, At: 2, LeaderEpoch: -1})
				if _, err := r.admin.CommitOffsets(context.Background(), functions.GroupID(cfg["name"]), offs); err != nil {
					t.Fatal(err)
				}
				if res, err := r.invokeMax(cfg, 100); err != nil || res.Written != n-2 {
					t.Fatalf("second: wrote %d, %v", res.Written, err)
				}
				return append(ids(0, 5), ids(2, n)...)
			}},
		{name: "a fenced invocation's consumer is closed, not kept", consumers: 2,
			run: func(t *testing.T, r *rig, sink *collectingSink, cfg map[string]string) []int64 {
				sink.onPut = func() { // a newer invocation takes the task over
					if _, err := r.store.NextEpoch(context.Background(), cfg["name"], 0); err != nil {
						t.Error(err)
					}
				}
				if res, err := r.invokeMax(cfg, 10); res.State != functions.StateFenced {
					t.Fatalf("first: state %s (%v), want FENCED", res.State, err)
				}
				sink.onPut = nil
				if res, err := r.invokeMax(cfg, 100); err != nil || res.Written != n {
					t.Fatalf("second: wrote %d, %v", res.Written, err)
				}
				return append(ids(0, 10), ids(0, n)...)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := &collectingSink{}
			r, cc := countingRig(t, sinkPlugin(sink))
			values := make([]string, n)
			for i := range values {
				values[i] = record(i, "")
			}
			r.produce("in", values...)
			cfg := map[string]string{"name": "snk", "connector.class": "test.standin.CollectingSinkConnector", "topics": "in",
				"consumer.override.max.poll.records": "5"} // invocations stop at multiples of 5
			want := tc.run(t, r, sink, cfg)
			if got := sink.snapshot(); !slices.Equal(got, want) {
				t.Errorf("sink got %v\nwant %v", got, want)
			}
			if got := r.groupOffset("snk", "in"); got != n {
				t.Errorf("group offset %d, want %d", got, n)
			}
			if got := cc.n.Load(); got != tc.consumers {
				t.Errorf("%d consumers connected, want %d", got, tc.consumers)
			}
			if got := cc.fetched.Load(); tc.fetched > 0 && got != tc.fetched {
				t.Errorf("%d records fetched, want %d", got, tc.fetched)
			}
			if got := cc.txn.Load(); got != 0 {
				t.Errorf("%d transactional producers connected: the commit goes through the pooled producer", got)
			}
		})
	}
}
