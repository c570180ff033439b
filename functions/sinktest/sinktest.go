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
	// StoreDir is the file state store's directory.
	StoreDir string
	H        *functions.Handler
	instance string
	plugins  []connectors.Plugin
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
	// A killed child process and its parent share one store (storeEnv).
	dir := os.Getenv(storeEnv)
	if dir == "" {
		dir = t.TempDir()
	}
	r := &Rig{T: t, Seeds: seeds, Kafka: cl, StoreDir: dir, Sep: "-", instance: instance, plugins: plugins}
	r.open()
	t.Cleanup(r.release)
	return r
}

// open opens the file state store at StoreDir and a handler on it.
func (r *Rig) open() {
	store, err := open.Open(context.Background(), "file:"+r.StoreDir)
	if err != nil {
		r.T.Fatal(err)
	}
	h, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(r.plugins...), Store: store, Seeds: r.Seeds, InstanceID: r.instance})
	if err != nil {
		r.T.Fatal(err)
	}
	r.Store, r.H = store, h
}

// release closes the handler and the store (unlocking StoreDir for a
// worker child); open opens them again.
func (r *Rig) release() {
	if r.H != nil {
		r.H.Close()
		r.Store.Close()
		r.H, r.Store = nil, nil
	}
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
	if err := r.TryProduce(topic, partitions, from, n, mk); err != nil {
		r.T.Fatal(err)
	}
}

// TryProduce is Produce returning its error, for goroutines other than the test's.
func (r *Rig) TryProduce(topic string, partitions int32, from, n int, mk func(i int) *kgo.Record) error {
	const chunk = 5000
	for lo := from; lo < from+n; lo += chunk {
		var recs []*kgo.Record
		for i := lo; i < min(lo+chunk, from+n); i++ {
			rec := mk(i)
			rec.Topic, rec.Partition = topic, int32(i)%partitions
			recs = append(recs, rec)
		}
		if err := r.Kafka.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
			return err
		}
	}
	return nil
}

// Invocation is one run of task 0 of connector name with a fresh epoch.
func (r *Rig) Invocation(name string, cfg map[string]string) functions.Invocation {
	epoch, err := r.Store.NextEpoch(context.Background(), name, 0)
	if err != nil {
		r.T.Fatal(err)
	}
	return invocation(name, cfg, epoch)
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
			if cfg["topics"] != "" || cfg["topics.regex"] != "" { // a sink: its offsets are a consumer group's
				r.awaitCommitted(name, out)
			}
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
