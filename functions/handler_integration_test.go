//go:build integration

package functions_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	kstate "github.com/ferryhq/ferry/state/kafka"
	"github.com/ferryhq/ferry/state/open"
	"github.com/twmb/franz-go/pkg/kgo"
)

func realHandler(t *testing.T, store functions.OffsetStore, id string) *functions.Handler {
	t.Helper()
	return realHandlerWith(t, store, id, nil)
}

// realHandlerWith is realHandler with the function's own worker configuration.
func realHandlerWith(t *testing.T, store functions.OffsetStore, id string, worker map[string]string) *functions.Handler {
	t.Helper()
	seeds := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if seeds == "" {
		t.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka redis nats)\"`")
	}
	h, err := functions.NewHandler(functions.Options{Plugins: builtin.Registry(), Store: store,
		Seeds: strings.Split(seeds, ","), InstanceID: id, Worker: worker, OffsetsTopics: kafkaOffsets})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// kafkaOffsets opens the offsets topic of exactly-once sources (state/kafka).
func kafkaOffsets(seeds []string, topic string, opts ...kgo.Opt) functions.OffsetsTopic {
	return kstate.New(seeds, topic, opts...)
}

func redisStore(t *testing.T) state.Store {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Fatal("REDIS_URL must be set: run `eval \"$(localstack/up kafka redis nats)\"`")
	}
	st, err := open.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func datagenInvocation(name string, epoch int64) functions.Invocation {
	return functions.Invocation{
		ID: fmt.Sprintf("%s-0-%d", name, epoch), Connector: name, Task: 0, Epoch: epoch,
		Class: "DatagenConnector",
		Config: map[string]string{"name": name, "connector.class": "DatagenConnector", "kafka.topic": name,
			"quickstart": "orders", "iterations": "5000", "max.interval": "0", "task.id": "0", "tasks.max": "1"},
		Deadline: time.Now().Add(20 * time.Second), MaxRecords: 2000,
	}
}

// Two invocations of one task race with different epochs: only the newer commits.
func TestStaleEpochNeverCommits(t *testing.T) {
	store := redisStore(t)
	ctx := context.Background()
	for round := 0; round < 3; round++ {
		name := fmt.Sprintf("fence-%d-%d", time.Now().UnixNano()%1e9, round)
		older, err := store.NextEpoch(ctx, name, 0)
		if err != nil {
			t.Fatal(err)
		}
		newer, _ := store.NextEpoch(ctx, name, 0)
		a, b := realHandler(t, store, "worker-a"), realHandler(t, store, "worker-b")
		type out struct {
			res functions.Result
			err error
		}
		ra, rb := make(chan out, 1), make(chan out, 1)
		go func() { r, err := a.Handle(ctx, datagenInvocation(name, older)); ra <- out{r, err} }()
		go func() { r, err := b.Handle(ctx, datagenInvocation(name, newer)); rb <- out{r, err} }()
		oa, ob := <-ra, <-rb
		if !errors.Is(oa.err, state.ErrFenced) || oa.res.State != functions.StateFenced {
			t.Fatalf("round %d: older epoch %d got state %s err %v, want FENCED", round, older, oa.res.State, oa.err)
		}
		if ob.err != nil || ob.res.State != functions.StateRunning || ob.res.Committed != 1 {
			t.Fatalf("round %d: newer epoch %d: %+v err %v", round, newer, ob.res, ob.err)
		}
		offs, err := store.ReadOffsets(ctx, name)
		if err != nil || len(offs) != 1 {
			t.Fatalf("round %d: offsets %v err %v", round, offs, err)
		}
		t.Logf("round %d: epoch %d fenced (%q), epoch %d committed %v", round, older, oa.res.Trace, newer, offs[0].Offset)
		_ = store.DeleteConnector(ctx, name)
	}
}
