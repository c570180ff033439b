// Package sourcetest is the source connectors' test harness: it runs a
// connector's task 0 through functions.Handler in-process, with a file
// state store, as the CDC connectors' integration tests and benchmarks do,
// and reads back the JSON records a source wrote to Kafka (the CDC and JDBC
// connectors' tests). Only tests import it; sinks have functions/sinktest.
package sourcetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/open"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Harness runs one connector's task 0 through a functions.Handler, each
// invocation with a fresh epoch.
type Harness struct {
	T     testing.TB
	H     *functions.Handler
	Store state.Store
	// Name is the connector's name, Class its connector.class.
	Name, Class string
	// Cfg is task 0's configuration.
	Cfg map[string]string
}

// New is a Harness with a state store of its own in a temporary directory.
func New(t testing.TB, seeds []string, plugins *connectors.Registry, cfg map[string]string) *Harness {
	t.Helper()
	store, err := open.Open(context.Background(), "file:"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return NewOn(t, seeds, plugins, cfg, store)
}

// NewOn is a Harness on store (a second harness on the same store is a
// restarted worker): a handler of the plugins on the Kafka of seeds, and
// task 0's configuration from the connector of cfg's connector.class.
func NewOn(t testing.TB, seeds []string, plugins *connectors.Registry, cfg map[string]string, store state.Store) *Harness {
	t.Helper()
	plugin, err := plugins.Lookup(cfg["connector.class"])
	if err != nil {
		t.Fatal(err)
	}
	h, err := functions.NewHandler(functions.Options{Plugins: plugins, Store: store, Seeds: seeds, InstanceID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	tcs, err := plugin.NewConnector().TaskConfigs(context.Background(), cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	return &Harness{T: t, H: h, Store: store, Name: cfg["name"], Class: cfg["connector.class"], Cfg: tcs[0]}
}

// Invoke runs one invocation of at most maxRecords records with the next epoch.
func (hs *Harness) Invoke(maxRecords int) functions.Result {
	hs.T.Helper()
	ctx := context.Background()
	epoch, err := hs.Store.NextEpoch(ctx, hs.Name, 0)
	if err != nil {
		hs.T.Fatal(err)
	}
	res, _ := hs.H.Handle(ctx, functions.Invocation{ID: fmt.Sprintf("%s-%d", hs.Name, epoch), Connector: hs.Name,
		Epoch: epoch, Class: hs.Class, Config: hs.Cfg, Deadline: time.Now().Add(20 * time.Second), MaxRecords: maxRecords})
	return res
}

// Drain invokes until an invocation reads nothing; it fails on a non-RUNNING result.
func (hs *Harness) Drain(maxRecords int) (read int64) {
	hs.T.Helper()
	for {
		res := hs.Invoke(maxRecords)
		if res.State != functions.StateRunning {
			hs.T.Fatalf("%s: %s", res.State, res.Trace)
		}
		if res.Read == 0 {
			return read
		}
		read += res.Read
	}
}

// DrainAtLeast invokes until at least want records were read: under load
// an invocation can end idle before the server has decoded up to the
// changes, so one empty invocation proves nothing.
func (hs *Harness) DrainAtLeast(maxRecords int, want int64) (read int64) {
	hs.T.Helper()
	for deadline := time.Now().Add(60 * time.Second); read < want; {
		if time.Now().After(deadline) {
			hs.T.Fatalf("read %d records in 60 s, want %d", read, want)
		}
		res := hs.Invoke(maxRecords)
		if res.State != functions.StateRunning {
			hs.T.Fatalf("%s: %s", res.State, res.Trace)
		}
		read += res.Read
	}
	return read
}

// Running is one invocation; an error when it failed. RETRYING (a broker
// still creating a new topic, say) is tried again by the next.
func (hs *Harness) Running() error {
	if res := hs.Invoke(1000); res.State != functions.StateRunning && res.State != functions.StateRetrying {
		return fmt.Errorf("%s: %s", res.State, res.Trace)
	}
	return nil
}

// Committed is the connector's committed offset (nil before any).
func (hs *Harness) Committed() map[string]any {
	hs.T.Helper()
	entries, err := hs.Store.ReadOffsets(context.Background(), hs.Name)
	if err != nil {
		hs.T.Fatal(err)
	}
	for _, e := range entries {
		return e.Offset
	}
	return nil
}

// Snapshotting reports whether the committed offset names a running
// Debezium incremental snapshot.
func (hs *Harness) Snapshotting() bool {
	_, ok := hs.Committed()[debezium.OffsetIncrementalCollections]
	return ok
}

// SnapshotRun invokes until at least reads records were read and the
// committed offset names no running snapshot.
func (hs *Harness) SnapshotRun(maxRecords int, reads int64) (read int64) {
	hs.T.Helper()
	for deadline := time.Now().Add(40 * time.Second); read < reads || hs.Snapshotting(); {
		if time.Now().After(deadline) {
			hs.T.Fatalf("read %d records in 40 s, want %d and the snapshot done (offset %v)", read, reads, hs.Committed())
		}
		res := hs.Invoke(maxRecords)
		if res.State != functions.StateRunning {
			hs.T.Fatalf("%s: %s", res.State, res.Trace)
		}
		read += res.Read
	}
	return read
}

// Message is one consumed record: key and value as JSON (nil for a
// tombstone), and the value's bytes.
type Message struct {
	Key, Value map[string]any
	Raw        []byte
}

// Consume reads up to n records of topic from its start on the Kafka of
// seeds, for at most timeout; it returns what it read by then.
func Consume(t testing.TB, seeds []string, topic string, n int, timeout time.Duration) []Message {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...),
		kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out []Message
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			break
		}
		fs.EachRecord(func(r *kgo.Record) {
			out = append(out, Message{Raw: r.Value, Key: Decode(t, r.Key), Value: Decode(t, r.Value)})
		})
	}
	return out
}

// Decode is b as a JSON object with numbers as json.Number; nil for nil.
func Decode(t testing.TB, b []byte) map[string]any {
	if b == nil {
		return nil
	}
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

// Payload is a JsonConverter envelope's payload (nil when m has none).
func Payload(m map[string]any) map[string]any {
	p, _ := m["payload"].(map[string]any)
	return p
}
