package transport

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/ferryhq/ferry/functions/wire"
)

// startNATS starts an in-process NATS server on a random loopback port and
// returns a connection to it; both are closed when the test ends.
func startNATS(tb testing.TB) *nats.Conn {
	tb.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		tb.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		tb.Fatal("embedded NATS server did not start")
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { nc.Close(); ns.Shutdown() })
	return nc
}

// respond subscribes a tiny function host: it answers each invocation at
// once with a RUNNING result echoing its id and epoch.
func respond(tb testing.TB, nc *nats.Conn) {
	tb.Helper()
	sub, err := nc.QueueSubscribe(wire.Subject, wire.QueueGroup, func(m *nats.Msg) {
		var inv wire.Invocation
		if err := json.Unmarshal(m.Data, &inv); err != nil {
			return
		}
		b, _ := json.Marshal(wire.Result{ID: inv.ID, Connector: inv.Connector, Task: inv.Task, Epoch: inv.Epoch,
			State: wire.StateRunning, InstanceID: "bench-worker"})
		_ = m.Respond(b)
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := nc.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkDispatchOverhead measures one Dispatch round trip over loopback
// NATS to a worker that replies at once: the scheduler-side cost of an
// invocation. It reports p50 and p99 latencies.
func BenchmarkDispatchOverhead(b *testing.B) {
	nc := startNATS(b)
	respond(b, startNATSClient(b, nc.ConnectedUrl()))
	d := NewNATSDispatcher(nc, NewSigner(testStore(b), 0))
	inv := wire.Invocation{Connector: "bench", Class: "org.apache.kafka.connect.file.FileStreamSourceConnector",
		Config: map[string]string{"file": "/tmp/in.txt", "topic": "t", "tasks.max": "1"}, MaxRecords: 100000}
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		inv.Epoch = int64(i + 1)
		inv.Deadline = time.Now().Add(10 * time.Second)
		start := time.Now()
		res, err := d.Dispatch(ctx, inv)
		lat = append(lat, time.Since(start))
		if err != nil || res.Epoch != inv.Epoch {
			b.Fatalf("dispatch: %v %+v", err, res)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// startNATSClient opens a second connection, as a worker process would have.
func startNATSClient(tb testing.TB, url string) *nats.Conn {
	tb.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	return nc
}
