package sinktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Environment of a worker child (Fault.KillWorker): the shared state store,
// and the connector it invokes.
const (
	storeEnv  = "FERRY_SINKTEST_STORE"
	nameEnv   = "FERRY_SINKTEST_CONNECTOR"
	configEnv = "FERRY_SINKTEST_CONFIG"
)

// Fault drives the fault tests every connector shares, with the input kept
// growing until after the fault (so the fault is mid-stream whatever the
// machine's speed): the worker killed with kill -9, and the server down.
type Fault struct {
	R    *Rig
	Name string            // the connector's name
	Cfg  map[string]string // its config
	// Feed adds records from..from+n-1 to the connector's input: the Kafka
	// topic of a sink, the server of a source. An error is retried.
	Feed func(from, n int) error
	// Seen reads the connector's output: how often each record arrived.
	Seen func() map[int]int
}

// feeder runs f.Feed, 100 records every 50 ms, until stopped; stop returns how
// many records it fed.
func (f *Fault) feeder() (stop func() int) {
	done, finished := make(chan struct{}), make(chan struct{})
	fed := 0
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if f.Feed(fed, 100) == nil {
				fed += 100
			}
		}
	}()
	return func() int { close(done); <-finished; return fed }
}

// waitSeen polls Seen until at least n distinct records arrived.
func (f *Fault) waitSeen(t *testing.T, n int, within time.Duration, what string) {
	t.Helper()
	for deadline := time.Now().Add(within); len(f.Seen()) < n; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: fewer than %d records delivered within %v", what, n, within)
		}
	}
}

// finish drains the connector, waits for every fed record in the output,
// reports the row and fails on any loss (and on duplicates when noDups).
func (f *Fault) finish(t *testing.T, row string, fed int, noDups bool) {
	t.Helper()
	// Drain until every fed record is seen: a drain ends at the first result
	// without more, which a server still coming back (RETRYING) also gives.
	var seen map[int]int
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		f.R.Drain(f.Name, f.Cfg)
		if seen = f.Seen(); len(seen) >= fed || time.Now().After(deadline) {
			break
		}
	}
	delivered, dups := 0, 0
	for i, c := range seen {
		if i < fed {
			delivered++
			dups += c - 1
		}
	}
	ReportRow(t, row, int64(fed), int64(delivered), int64(fed-delivered), int64(dups))
	if delivered != fed || (noDups && dups > 0) {
		t.Fatalf("%s: %d of %d records delivered, %d duplicates", row, delivered, fed, dups)
	}
}

// KillWorker runs the connector in a worker child process (the calling
// test run again, whose AsChild body calls WorkLoop), kills it with SIGKILL
// once atLeast records arrived while the input still grows, then drains
// the connector in this process: nothing may be lost; duplicates are
// counted, and fail the test when noDups.
func (f *Fault) KillWorker(t *testing.T, row string, atLeast int, noDups bool) {
	t.Helper()
	blob, _ := json.Marshal(f.Cfg)
	stop := f.feeder()
	var out bytes.Buffer
	f.R.release() // the child takes the store
	child := StartChild(t, &out, storeEnv+"="+f.R.StoreDir, nameEnv+"="+f.Name, configEnv+"="+string(blob))
	killed := false
	defer func() {
		if !killed {
			child.Process.Kill()
			child.Wait()
			stop()
			f.R.open()
			t.Logf("worker child output:\n%s", out.String())
		}
	}()
	f.waitSeen(t, atLeast, 60*time.Second, "before the kill")
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	killed = true
	fed := stop()
	// One batch more after the kill, so the stream goes on past it even
	// if the worker had caught up with the feeder.
	for deadline := time.Now().Add(30 * time.Second); f.Feed(fed, 100) != nil; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("feeding after the kill failed for 30s")
		}
	}
	fed += 100
	f.R.open()
	t.Logf("killed the worker with %d records delivered, %d fed", len(f.Seen()), fed)
	f.finish(t, row, fed, noDups)
}

// WorkLoop is a worker child's body: it invokes the connector KillWorker
// named, again and again, until the parent kills the process.
func WorkLoop(t *testing.T, r *Rig) {
	var cfg map[string]string
	if err := json.Unmarshal([]byte(os.Getenv(configEnv)), &cfg); err != nil {
		t.Fatal(err)
	}
	for {
		res, err := r.H.Handle(context.Background(), r.Invocation(os.Getenv(nameEnv), cfg))
		if err != nil || !res.More {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// Outage runs the connector's invocations in this process, one after
// another as the scheduler would, stops the server (stop) once atLeast
// records arrived while the input still grows, keeps it down for down,
// and starts it again (start). Some invocation in the outage must be
// RETRYING with a trace containing cause; after the restart the records
// must flow again, and nothing may be lost.
func (f *Fault) Outage(t *testing.T, row string, atLeast int, down time.Duration, stop, start func(), cause string) {
	t.Helper()
	stopFeed := f.feeder()
	var mu sync.Mutex
	var retrying []string
	outage := false
	done, finished := make(chan struct{}), make(chan struct{})
	go func() { // the invoker, owned by Outage
		defer close(finished)
		for {
			select {
			case <-done:
				return
			default:
			}
			epoch, err := f.R.Store.NextEpoch(context.Background(), f.Name, 0)
			if err != nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			inv := invocation(f.Name, f.Cfg, epoch)
			res, err := f.R.H.Handle(context.Background(), inv)
			mu.Lock()
			if res.State == functions.StateRetrying && outage {
				retrying = append(retrying, res.Trace)
			}
			mu.Unlock()
			if err != nil || !res.More {
				time.Sleep(50 * time.Millisecond)
			}
		}
	}()
	// The feeder first: an invocation runs on while records keep arriving.
	stopAll := func() int { fed := stopFeed(); close(done); <-finished; return fed }
	stopped := false
	defer func() {
		if !stopped {
			stopAll()
		}
	}()
	f.waitSeen(t, atLeast, 60*time.Second, "before the outage")
	stop()
	mu.Lock()
	outage = true
	mu.Unlock()
	time.Sleep(down)
	start()
	mu.Lock()
	outage = false
	traces := append([]string(nil), retrying...)
	mu.Unlock()
	restarted := time.Now()
	before := len(f.Seen())
	f.waitSeen(t, before+1, 60*time.Second, "after the restart")
	resumed := time.Since(restarted)
	stopped = true
	fed := stopAll()
	named := false
	for _, tr := range traces {
		named = named || strings.Contains(tr, cause)
	}
	if !named {
		t.Fatalf("no invocation was RETRYING naming %q in the %v outage (%d RETRYING: %.300q)", cause, down, len(traces), traces)
	}
	t.Logf("server down %v with %d records delivered: %d invocations RETRYING, e.g. %.200s; records flowed again %v after the restart",
		down, before, len(traces), traces[0], resumed.Round(time.Millisecond))
	t0 := time.Now()
	f.finish(t, row, fed, false)
	t.Logf("%d records fed; drained and read back in %v", fed, time.Since(t0).Round(time.Millisecond))
}

// invocation is Rig.Invocation with a given epoch (Rig.Invocation fails the
// test, which a goroutine may not do).
func invocation(name string, cfg map[string]string, epoch int64) functions.Invocation {
	full := map[string]string{"name": name, "tasks.max": "1", "task.id": "0"}
	for k, v := range cfg {
		full[k] = v
	}
	return functions.Invocation{ID: fmt.Sprintf("%s-%d", name, epoch), Connector: name, Epoch: epoch,
		Class: full["connector.class"], Config: full, Deadline: time.Now().Add(120 * time.Second), MaxRecords: 100000}
}

// ReadAll reads every record topic holds now (to its end offsets).
func (r *Rig) ReadAll(topic string) []*kgo.Record {
	r.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ends, err := kadm.NewClient(r.Kafka).ListEndOffsets(ctx, topic)
	if err != nil {
		r.T.Fatal(err)
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) { want[o.Partition] = o.Offset })
	cl, err := kgo.NewClient(kgo.SeedBrokers(r.Seeds...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		r.T.Fatal(err)
	}
	defer cl.Close()
	var out []*kgo.Record
	next := map[int32]int64{}
	done := func() bool {
		for p, end := range want {
			if next[p] < end {
				return false
			}
		}
		return true
	}
	for !done() && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(rec *kgo.Record) {
			out = append(out, rec)
			next[rec.Partition] = rec.Offset + 1
		})
	}
	return out
}
