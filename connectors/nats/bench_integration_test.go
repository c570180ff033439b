//go:build integration

package nats_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	ferrynats "github.com/ferryhq/ferry/connectors/nats"
	"github.com/ferryhq/ferry/functions/sinktest"
	natsio "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/twmb/franz-go/pkg/kgo"
)

// BenchmarkNatsSinkVsDirect compares the sink in its default mode (no
// nats.stream: core NATS publishes) with nats.go publishing the same
// messages directly: PublishMsg per record, one Flush at the end.
func BenchmarkNatsSinkVsDirect(b *testing.B) { benchNats(b, false) }

// BenchmarkNatsJetStreamSinkVsDirect compares the sink with nats.stream set
// with nats.go publishing the same messages to the same stream: async
// publishes, acknowledgements awaited every nats.max.pending (4096) as the
// sink awaits them.
func BenchmarkNatsJetStreamSinkVsDirect(b *testing.B) { benchNats(b, true) }

// benchNats runs the sink (Kafka to NATS, about 110 B values,
// StringConverter) against nats.go publishing the same messages (same
// Kafka-Key header, Nats-Msg-Ids of the same length) directly, in the same
// run, on the stack's nats-server (NATS_URL, its own process, so its CPU
// counts on neither side); see sinktest.VersusDirect for the figures.
func benchNats(b *testing.B, js bool) {
	const n, pending = 100000, 4096
	url := os.Getenv("NATS_URL")
	if url == "" {
		b.Fatal("NATS_URL must be set: run `eval \"$(localstack/up kafka nats)\"`")
	}
	r := &rig{Rig: sinktest.New(b, "nats-bench", ferrynats.Sink()), url: url}
	var err error
	if r.nc, err = natsio.Connect(url); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(r.nc.Close)
	if r.js, err = jetstream.New(r.nc, jetstream.WithPublishAsyncMaxPending(pending)); err != nil {
		b.Fatal(err)
	}
	value := func(i int) string { return fmt.Sprintf("value %d %0100d", i, i) }
	for it := 0; it < b.N; it++ {
		topic := r.Topic("nats-bench", 1)
		r.Produce(topic, 1, 0, n, func(i int) *kgo.Record {
			return &kgo.Record{Key: []byte("k" + strconv.Itoa(i)), Value: []byte(value(i))}
		})
		subject := "ferrybench." + topic
		message := func(i int) *natsio.Msg {
			m := natsio.NewMsg(subject + ".direct")
			m.Data = []byte(value(i))
			m.Header.Set(ferrynats.KeyHeader, "k"+strconv.Itoa(i))
			m.Header.Set(jetstream.MsgIDHeader, topic+"-9-"+strconv.Itoa(i))
			return m
		}
		cfg := r.config(ferrynats.SinkClass, "topics", topic, "nats.subject", subject+".sink")
		direct, name := func() {
			for i := range n {
				if err := r.nc.PublishMsg(message(i)); err != nil {
					b.Fatal(err)
				}
			}
			if err := r.nc.Flush(); err != nil {
				b.Fatal(err)
			}
		}, "NATS core"
		var stream jetstream.Stream
		if js {
			stream = r.benchStream(b, subject)
			cfg["nats.stream"] = stream.CachedInfo().Config.Name
			direct = func() { r.publishAsync(b, cfg["nats.stream"], n, pending, message) }
			name = "NATS JetStream"
		}
		r.VersusDirect(b, name, topic, n, direct, func() { r.Drain("bench-"+topic, cfg) })
		if stream != nil {
			if info, err := stream.Info(context.Background()); err != nil || info.State.Msgs != 2*n {
				b.Fatalf("stream has %v messages (%v), want %d", info.State.Msgs, err, 2*n)
			}
		}
	}
}

// benchStream creates a stream for subject.> that is deleted when the benchmark ends.
func (r *rig) benchStream(b *testing.B, subject string) jetstream.Stream {
	name := fmt.Sprintf("FERRYBENCH_%d", time.Now().UnixNano())
	s, err := r.js.CreateStream(context.Background(), jetstream.StreamConfig{Name: name, Subjects: []string{subject + ".>"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.js.DeleteStream(context.Background(), name) })
	return s
}

// publishAsync publishes n messages to stream with JetStream, awaiting the
// acknowledgements of every chunk of pending.
func (r *rig) publishAsync(b *testing.B, stream string, n, pending int, msg func(i int) *natsio.Msg) {
	for lo := 0; lo < n; lo += pending {
		acks := make([]jetstream.PubAckFuture, 0, pending)
		for i := lo; i < min(lo+pending, n); i++ {
			f, err := r.js.PublishMsgAsync(msg(i), jetstream.WithExpectStream(stream))
			if err != nil {
				b.Fatal(err)
			}
			acks = append(acks, f)
		}
		for _, f := range acks {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				b.Fatal(err)
			}
		}
	}
}
