package functions

import (
	"context"
	"testing"

	"github.com/ferryhq/ferry/connectors/datagen"
	"github.com/twmb/franz-go/pkg/kgo"
)

// discard is a producer that acknowledges every record at once.
type discard struct{}

func (discard) Produce(_ context.Context, r *kgo.Record, promise func(*kgo.Record, error)) {
	promise(r, nil)
}

// BenchmarkSourcePath is the datagen -> Kafka path of BenchmarkJSONPassthrough
// without Kafka: datagen's orders polled, converted (string keys, JSON values
// without schemas, no SMTs), their offsets tracked, and handed to a producer
// that discards them. One op is one poll of 1,000 records. The task writes
// its values as JSON (json) or returns Structs for the converter (structs).
func BenchmarkSourcePath(b *testing.B) {
	for _, json := range []bool{false, true} {
		b.Run(map[bool]string{false: "structs", true: "json"}[json], func(b *testing.B) { benchSourcePath(b, json) })
	}
}

func benchSourcePath(b *testing.B, json bool) {
	cfg := map[string]string{"name": "bench-src", "connector.class": "DatagenConnector", "kafka.topic": "orders",
		"quickstart": "orders", "max.interval": "0", "task.id": "0", "tasks.max": "1"}
	ctx := context.Background()
	task := datagen.NewTask()
	if err := task.Open(ctx, cfg, nil); err != nil {
		b.Fatal(err)
	}
	p := sourcePipeline(b, cfg, jsonWorkerConfig)
	p.ensured = "orders"
	if json {
		p.writeJSONValues(task)
	}
	var h Handler
	tr := offsetTracker{connector: cfg["name"]}
	var a acks
	b.ReportAllocs()
	for b.Loop() {
		if n, err := h.pollOnce(ctx, task, p, &tr, discard{}, &a); err != nil || n != 1000 {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(p.res.Read), "ns/record")
}
