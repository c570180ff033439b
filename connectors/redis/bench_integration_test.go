//go:build integration

package redis_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
)

const benchRecords = 100000

// TestRedisSinkBenchmark compares the sink (Kafka to Redis, STRING, 100 B
// values) with go-redis writing the same SETs directly in pipelines of 500,
// in the same run, and prints the ratio and records per CPU-second.
func TestRedisSinkBenchmark(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("redis-bench", 1)
	prefix := "ferrytest:" + topic + ":"
	r.cleanup(prefix)
	r.cleanup("ferrytest:direct-" + topic)
	value := func(i int) string { return fmt.Sprintf("value %d %0100d", i, i) }
	r.Produce(topic, 1, 0, benchRecords, func(i int) *kgo.Record {
		return &kgo.Record{Key: []byte("k" + strconv.Itoa(i)), Value: []byte(value(i))}
	})
	ctx := context.Background()
	direct, directCPU := sinktest.Measure(func() {
		for lo := 0; lo < benchRecords; lo += 500 {
			pipe := r.rdb.Pipeline()
			for i := lo; i < lo+500; i++ {
				pipe.Set(ctx, "ferrytest:direct-"+topic+":k"+strconv.Itoa(i), value(i), 0)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
	sink, sinkCPU := sinktest.Measure(func() { r.Drain("bench-"+topic, r.sinkConfig(topic, "redis.type", "STRING")) })
	if n := r.keys(prefix); n != benchRecords {
		t.Fatalf("%d keys", n)
	}
	report(t, "Redis STRING", direct, directCPU, sink, sinkCPU)
}

func report(t *testing.T, name string, direct, directCPU, sink, sinkCPU time.Duration) {
	t.Logf("%s, %d records: direct client %v (%.0f records/CPU-s), ferry sink from Kafka %v (%.0f records/CPU-s): time ×%.2f of direct",
		name, benchRecords, direct.Round(time.Millisecond), benchRecords/directCPU.Seconds(), sink.Round(time.Millisecond),
		benchRecords/sinkCPU.Seconds(), sink.Seconds()/direct.Seconds())
}
