package functions_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestSinkCommitFencedBetweenCheckAndCommit is the race of a sink's offset
// commit: invocation A passed its fence check and its commit is on the wire
// when a newer invocation B takes the task over, reads further (records
// produced since A planned) and commits.
// A's commit must not land: the group's offsets never move backwards.
func TestSinkCommitFencedBetweenCheckAndCommit(t *testing.T) {
	const n = 10
	sink := &collectingSink{}
	r := newRig(t, sinkPlugin(sink))
	values := make([]string, n)
	for i := range values {
		values[i] = record(i, "")
	}
	r.produce("in", values[:n/2]...)
	// B is another function instance (its own connections) on the same broker and store.
	b, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(sinkPlugin(sink)), Store: r.store,
		Seeds: r.seeds, InstanceID: "unit-b", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	cfg := map[string]string{"name": "snk", "connector.class": "test.standin.CollectingSinkConnector", "topics": "in"}
	var held atomic.Bool
	var resB functions.Result
	var errB error
	// The first request that commits group offsets (plain or transactional) is
	// A's: hold it while B runs a whole invocation, then let the broker take it.
	intercept := func(kmsg.Request) (kmsg.Response, error, bool) {
		if held.CompareAndSwap(false, true) {
			r.cluster.SleepControl(func() {
				r.produce("in", values[n/2:]...) // A planned up to n/2; B sees all n
				epoch, err := r.store.NextEpoch(context.Background(), "snk", 0)
				if err != nil {
					errB = err
					return
				}
				resB, errB = b.Handle(context.Background(), functions.Invocation{ID: "b", Connector: "snk", Epoch: epoch,
					Class: "test.standin.CollectingSinkConnector", Config: cfg, Deadline: time.Now().Add(5 * time.Second)})
			})
		}
		r.cluster.KeepControl()
		return nil, nil, false
	}
	for _, key := range []kmsg.Key{kmsg.OffsetCommit, kmsg.AddOffsetsToTxn, kmsg.TxnOffsetCommit, kmsg.EndTxn} {
		r.cluster.ControlKey(int16(key), intercept)
	}
	epoch, err := r.store.NextEpoch(context.Background(), "snk", 0)
	if err != nil {
		t.Fatal(err)
	}
	resA, errA := r.h.Handle(context.Background(), functions.Invocation{ID: "a", Connector: "snk", Epoch: epoch,
		Class: "test.standin.CollectingSinkConnector", Config: cfg, Deadline: time.Now().Add(5 * time.Second)})
	if errB != nil || resB.State != functions.StateRunning {
		t.Fatalf("B: state %s err %v", resB.State, errB)
	}
	if !errors.Is(errA, state.ErrFenced) || resA.State != functions.StateFenced {
		t.Errorf("A: state %s err %v, want FENCED", resA.State, errA)
	}
	if got := r.groupOffset("snk", "in"); got != n {
		t.Errorf("group offset %d after B committed %d: A's stale commit moved it backwards", got, n)
	}
}
