//go:build integration

package functions_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/datagen"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	kstate "github.com/ferryhq/ferry/state/kafka"
	"github.com/twmb/franz-go/pkg/kadm"
)

func eosInvocation(name string, epoch int64, iterations, max int) functions.Invocation {
	inv := datagenInvocation(name, epoch)
	inv.Config["exactly.once.support"] = "required"
	inv.Config["iterations"] = fmt.Sprint(iterations)
	inv.MaxRecords = max
	return inv
}

// iterations counts the datagen records a read_committed consumer sees in
// topic: how many, how many distinct iterations.
func iterations(t *testing.T, topic string, want int) (n, unique int) {
	recs := readAll(t, topic, want, true)
	seen := map[string]bool{}
	for _, r := range recs {
		seen[headerMap(r)[datagen.CurrentIterationKey]] = true
	}
	return len(recs), len(seen)
}

// Exactly-once: two invocations of one task with different epochs race; the
// older is fenced and commits no transaction, the newer commits; offsets are
// in the Kafka offsets topic; a read_committed consumer sees each record once.
func TestStaleEpochNeverCommitsEOS(t *testing.T) {
	store := redisStore(t)
	ctx := context.Background()
	name := fmt.Sprintf("eos-fence-%d", time.Now().UnixNano()%1e9)
	older, _ := store.NextEpoch(ctx, name, 0)
	newer, _ := store.NextEpoch(ctx, name, 0)
	a, b := realHandler(t, store, "worker-a"), realHandler(t, store, "worker-b")
	type out struct {
		res functions.Result
		err error
	}
	ra, rb := make(chan out, 1), make(chan out, 1)
	go func() { r, err := a.Handle(ctx, eosInvocation(name, older, 3000, 3000)); ra <- out{r, err} }()
	go func() { r, err := b.Handle(ctx, eosInvocation(name, newer, 3000, 3000)); rb <- out{r, err} }()
	oa, ob := <-ra, <-rb
	if !errors.Is(oa.err, state.ErrFenced) || oa.res.State != functions.StateFenced {
		t.Fatalf("older epoch %d: state %s err %v, want FENCED", older, oa.res.State, oa.err)
	}
	if ob.err != nil || ob.res.State != functions.StateRunning || ob.res.Written != 3000 {
		t.Fatalf("newer epoch %d: %+v err %v", newer, ob.res, ob.err)
	}
	// The commit's markers are written after EndTransaction returns: poll
	// briefly until the read_committed view includes them.
	var offs []state.OffsetEntry
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		offs, err = kstate.New(seeds(t), kstate.DefaultTopic).Read(ctx, name)
		if err == nil && len(offs) == 1 {
			break
		}
	}
	if err != nil || len(offs) != 1 || offs[0].Offset[datagen.CurrentIterationKey] != int64(3000) {
		t.Fatalf("offsets topic for %s: %v err %v", name, offs, err)
	}
	n, unique := iterations(t, name, 3000)
	reportRow(t, "two epochs race, exactly-once (read_committed)", 3000, int64(unique), int64(3000-unique), int64(n-unique))
	if n != 3000 || unique != 3000 {
		t.Fatalf("read_committed consumer saw %d records, %d unique; want 3000", n, unique)
	}
}

// An invocation that loses its epoch mid-run cannot commit its open
// transaction; its uncommitted records stay invisible to read_committed
// consumers, and the next invocation resumes from the last committed offset.
// The epoch is bumped from inside the first invocation (its third poll, with
// records already in the open transaction), not after a sleep, so the test
// does not depend on how fast the machine is.
func TestEpochBumpedMidTransaction(t *testing.T) {
	store := redisStore(t)
	ctx := context.Background()
	name := fmt.Sprintf("eos-bump-%d", time.Now().UnixNano()%1e9)
	const total = 20000
	first, _ := store.NextEpoch(ctx, name, 0)
	var second int64
	bump := true // only in the first invocation
	plugin := hookSourcePlugin(name, total, nil, func(poll int) error {
		if bump && poll == 3 {
			bump = false
			var err error
			second, err = store.NextEpoch(ctx, name, 0)
			return err
		}
		return nil
	})
	h, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(plugin), Store: store,
		Seeds: seeds(t), InstanceID: "worker-a", OffsetsTopics: kafkaOffsets})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	invocation := func(epoch int64, max int) functions.Invocation {
		return functions.Invocation{ID: fmt.Sprintf("%s-0-%d", name, epoch), Connector: name, Epoch: epoch, Class: plugin.Class,
			Config: map[string]string{"name": name, "connector.class": plugin.Class, "tasks.max": "1",
				"exactly.once.support": "required", "transaction.boundary": "interval", "transaction.boundary.interval.ms": "100000"},
			Deadline: time.Now().Add(20 * time.Second), MaxRecords: max}
	}
	res, _ := h.Handle(ctx, invocation(first, total))
	if res.State != functions.StateFenced || second == 0 {
		t.Fatalf("first invocation: %s %s (epoch bumped to %d), want FENCED", res.State, res.Trace, second)
	}
	for e := second; ; e, _ = store.NextEpoch(ctx, name, 0) {
		r, err := h.Handle(ctx, invocation(e, 0))
		if err != nil {
			t.Fatalf("resuming: %v", err)
		}
		if !r.More {
			break
		}
	}
	recs := readAll(t, name, total, true)
	seen := map[string]bool{}
	for _, r := range recs {
		seen[string(r.Value)] = true
	}
	n, unique := len(recs), len(seen)
	reportRow(t, "epoch bumped mid-transaction, exactly-once", total, int64(unique), int64(total-unique), int64(n-unique))
	if n != total || unique != total {
		t.Fatalf("read_committed consumer saw %d records, %d unique; want %d", n, unique, total)
	}
}

// A sink invocation with a stale epoch writes no dead letter attributed to
// the task and commits nothing.
func TestStaleEpochWritesNoDeadLetter(t *testing.T) {
	store := redisStore(t)
	ctx := context.Background()
	topic := produceStream(t, "stale-dlq", []string{good(0, "a"), poisons[0].value, good(2, "c")})
	name := topic + "-sink"
	older, _ := store.NextEpoch(ctx, name, 0)
	_, _ = store.NextEpoch(ctx, name, 0)
	sink := &collectingSink{}
	h := handlerWith(t, store, "stale", sinkPlugin(sink))
	extra := map[string]string{"errors.tolerance": "all", "errors.deadletterqueue.topic.name": topic + "-dlq"}
	res, err := h.Handle(ctx, sinkInvocation(name, topic, older, extra))
	if !errors.Is(err, state.ErrFenced) || res.State != functions.StateFenced {
		t.Fatalf("stale sink invocation: %s %v, want FENCED", res.State, err)
	}
	ends, _ := kadm.NewClient(kafkaClient(t)).ListEndOffsets(ctx, topic+"-dlq")
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err == nil && o.Offset > 0 {
			t.Fatalf("stale invocation wrote %d dead letters", o.Offset)
		}
	})
	t.Logf("stale epoch %d: %s", older, res.Trace)
}
