//go:build integration

package nats_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	ferrynats "github.com/ferryhq/ferry/connectors/nats"
	"github.com/ferryhq/ferry/functions/sinktest"
	natsio "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestNatsSinkBenchmark compares the JetStream sink (Kafka to a stream, 100 B
// values) with nats.go publishing the same messages (same headers and
// Nats-Msg-Id) asynchronously, 500 awaited at a time, in the same run; it
// prints the ratio and records per CPU-second.
func TestNatsSinkBenchmark(t *testing.T) {
	const n = 100000
	r := newRig(t)
	topic := r.Topic("nats-bench", 1)
	r.stream("BENCH", jetstream.StreamConfig{Subjects: []string{"bench.>"}})
	value := func(i int) string { return fmt.Sprintf("value %d %0100d", i, i) }
	r.Produce(topic, 1, 0, n, func(i int) *kgo.Record {
		return &kgo.Record{Key: []byte("k" + strconv.Itoa(i)), Value: []byte(value(i))}
	})
	direct, directCPU := sinktest.Measure(func() {
		for lo := 0; lo < n; lo += 500 {
			for i := lo; i < lo+500; i++ {
				m := natsio.NewMsg("bench.direct")
				m.Data = []byte(value(i))
				m.Header.Set(ferrynats.KeyHeader, "k"+strconv.Itoa(i))
				m.Header.Set(jetstream.MsgIDHeader, "direct-0-"+strconv.Itoa(i))
				if _, err := r.js.PublishMsgAsync(m); err != nil {
					t.Fatal(err)
				}
			}
			<-r.js.PublishAsyncComplete()
		}
	})
	sink, sinkCPU := sinktest.Measure(func() {
		r.Drain("bench-"+topic, r.config(ferrynats.SinkClass, "topics", topic, "nats.subject", "bench.${topic}", "nats.stream", "BENCH"))
	})
	info, _ := r.js.Stream(context.Background(), "BENCH")
	if got := info.CachedInfo().State.Msgs; got != 2*n {
		t.Fatalf("stream has %d messages, want %d", got, 2*n)
	}
	t.Logf("NATS JetStream, %d records: direct client %v (%.0f records/CPU-s), ferry sink from Kafka %v (%.0f records/CPU-s): time ×%.2f of direct",
		n, direct.Round(time.Millisecond), n/directCPU.Seconds(), sink.Round(time.Millisecond), n/sinkCPU.Seconds(), sink.Seconds()/direct.Seconds())
}
