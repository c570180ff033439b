// Package sinktest runs a sink connector's invocations against the real Kafka
// for the connector's integration tests: unique topics, produced test records,
// invocations of task 0 with fresh epochs, draining until caught up, and the
// committed consumer group offsets. Only tests import it.
package sinktest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/open"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Rig is one test's Kafka client, file state store and function handler.
type Rig struct {
	T     testing.TB
	Seeds []string
	Kafka *kgo.Client
	Store state.Store
	H     *functions.Handler
	// Sep joins a topic's name and its unique suffix: "-", or "_" where
	// topics become table names.
	Sep string
}

// New builds a rig whose handler knows plugins; it fails the test when
// KAFKA_BOOTSTRAP_SERVERS is not set.
func New(t testing.TB, instance string, plugins ...connectors.Plugin) *Rig {
	t.Helper()
	kafka := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if kafka == "" {
		t.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka)\"`")
	}
	seeds := strings.Split(kafka, ",")
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ProducerLinger(5*time.Millisecond),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	store, err := open.Open(context.Background(), "file:"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(plugins...), Store: store, Seeds: seeds, InstanceID: instance})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return &Rig{T: t, Seeds: seeds, Kafka: cl, Store: store, H: h, Sep: "-"}
}

// Topic creates a topic with a unique name starting with name.
func (r *Rig) Topic(name string, partitions int32) string {
	name = fmt.Sprintf("%s%s%d", name, r.Sep, time.Now().UnixNano()%1e9)
	if _, err := kadm.NewClient(r.Kafka).CreateTopic(context.Background(), partitions, 1, nil, name); err != nil {
		r.T.Fatal(err)
	}
	return name
}

// Produce writes records from..from+n made by mk, in order, to the
// partitions round-robin.
func (r *Rig) Produce(topic string, partitions int32, from, n int, mk func(i int) *kgo.Record) {
	const chunk = 5000
	for lo := from; lo < from+n; lo += chunk {
		var recs []*kgo.Record
		for i := lo; i < min(lo+chunk, from+n); i++ {
			rec := mk(i)
			rec.Topic, rec.Partition = topic, int32(i)%partitions
			recs = append(recs, rec)
		}
		if err := r.Kafka.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
			r.T.Fatal(err)
		}
	}
}

// Invocation is one run of task 0 of connector name with a fresh epoch.
func (r *Rig) Invocation(name string, cfg map[string]string) functions.Invocation {
	epoch, err := r.Store.NextEpoch(context.Background(), name, 0)
	if err != nil {
		r.T.Fatal(err)
	}
	full := map[string]string{"name": name, "tasks.max": "1", "task.id": "0"}
	for k, v := range cfg {
		full[k] = v
	}
	return functions.Invocation{ID: fmt.Sprintf("%s-%d", name, epoch), Connector: name, Epoch: epoch,
		Class: full["connector.class"], Config: full, Deadline: time.Now().Add(120 * time.Second), MaxRecords: 100000}
}

// Drain invokes the sink until it has read everything and returns the results.
func (r *Rig) Drain(name string, cfg map[string]string) []functions.Result {
	var out []functions.Result
	for i := 0; i < 50; i++ {
		res, err := r.H.Handle(context.Background(), r.Invocation(name, cfg))
		if err != nil {
			r.T.Fatalf("invocation %d of %s: %v (%s)", i, name, err, res.Trace)
		}
		out = append(out, res)
		if !res.More {
			r.awaitCommitted(name, out)
			return out
		}
	}
	r.T.Fatalf("%s still had more after 50 invocations", name)
	return nil
}

// awaitCommitted waits, when any of results committed, until the broker
// shows connector name's group with stable offsets. A first transactional
// commit to a new group can read as absent for a moment after EndTxn
// returns, while its markers are written (seen on a fast CI machine); Drain
// returns only once its commits can be read.
func (r *Rig) awaitCommitted(name string, results []functions.Result) {
	committed := false
	for _, res := range results {
		committed = committed || res.Committed > 0
	}
	if !committed {
		return
	}
	ctx, cancel := context.WithTimeout(kadm.RequireStable(context.Background()), 10*time.Second)
	defer cancel()
	for {
		offs, err := kadm.NewClient(r.Kafka).FetchOffsets(ctx, functions.GroupID(name))
		stable := err == nil && len(offs) > 0
		offs.Each(func(o kadm.OffsetResponse) { stable = stable && o.Err == nil })
		if stable {
			return
		}
		select {
		case <-ctx.Done():
			r.T.Fatalf("%s committed, but its group's offsets are not readable after 10s (last error %v)", name, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Committed returns the consumer group offsets of connector name on topic.
func (r *Rig) Committed(name, topic string) map[int32]int64 {
	// Sink commits are transactional: ask for stable offsets (KIP-447), and
	// ask again while the broker still reports the commit's markers in flight.
	ctx, cancel := context.WithTimeout(kadm.RequireStable(context.Background()), 30*time.Second)
	defer cancel()
	for {
		offs, err := kadm.NewClient(r.Kafka).FetchOffsetsForTopics(ctx, functions.GroupID(name), topic)
		if err != nil {
			r.T.Fatal(err)
		}
		out, unstable := map[int32]int64{}, false
		offs.Each(func(o kadm.OffsetResponse) {
			unstable = unstable || errors.Is(o.Err, kerr.UnstableOffsetCommit)
			if o.Err == nil && o.At >= 0 {
				out[o.Partition] = o.At
			}
		})
		if !unstable {
			return out
		}
		select {
		case <-ctx.Done():
			r.T.Fatalf("committed offsets of %s still unstable: %v", name, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Consume reads topic from the start until it has want records, then
// waits a second more for any past want; it fails the test unless exactly
// want arrived. Records come in order within each partition.
func (r *Rig) Consume(topic string, want int) []*kgo.Record {
	r.T.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(r.Seeds...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		r.T.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < want && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(rec *kgo.Record) { out = append(out, rec) })
	}
	extra, cancelExtra := context.WithTimeout(context.Background(), time.Second)
	defer cancelExtra()
	cl.PollFetches(extra).EachRecord(func(rec *kgo.Record) { out = append(out, rec) })
	if len(out) != want {
		r.T.Fatalf("%s has %d records, want %d", topic, len(out), want)
	}
	return out
}

// Header returns the value of rec's first header named key, or "".
func Header(rec *kgo.Record, key string) string {
	for _, h := range rec.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// CPUTime is the CPU time (user and system) this process has used so far;
// the difference over a run gives records per CPU-second.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Measure runs f and returns its wall-clock and CPU time.
func Measure(f func()) (wall, cpu time.Duration) {
	c0, t0 := CPUTime(), time.Now()
	f()
	return time.Since(t0), CPUTime() - c0
}
