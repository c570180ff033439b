//go:build integration

package redis_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// BenchmarkRedisSinkVsDirect compares the sink (Kafka to Redis, STRING,
// about 110 B values, StringConverter) with go-redis writing the same SETs
// directly in pipelines of 10,000 (the sink sends each batch it is given,
// at most max.poll.records = 10,000, as one pipeline), in the same run; see
// sinktest.VersusDirect for the figures it reports.
func BenchmarkRedisSinkVsDirect(b *testing.B) {
	const n, pipeline = 100000, 10000
	r := newRig(b)
	value := func(i int) string { return fmt.Sprintf("value %d %0100d", i, i) }
	for it := 0; it < b.N; it++ {
		topic := r.Topic("redis-bench", 1)
		prefix, direct := "ferrytest:"+topic+":", "ferrytest:direct-"+topic+":"
		r.cleanup(prefix)
		r.cleanup(direct)
		r.Produce(topic, 1, 0, n, func(i int) *kgo.Record {
			return &kgo.Record{Key: []byte("k" + strconv.Itoa(i)), Value: []byte(value(i))}
		})
		ctx := context.Background()
		r.VersusDirect(b, "Redis STRING", topic, n, func() {
			for lo := 0; lo < n; lo += pipeline {
				pipe := r.rdb.Pipeline()
				for i := lo; i < lo+pipeline; i++ {
					pipe.Set(ctx, direct+"k"+strconv.Itoa(i), value(i), 0)
				}
				if _, err := pipe.Exec(ctx); err != nil {
					b.Fatal(err)
				}
			}
		}, func() { r.Drain("bench-"+topic, r.sinkConfig(topic, "redis.type", "STRING")) })
		if got, want := r.keys(prefix), r.keys(direct); got != n || want != n {
			b.Fatalf("the sink wrote %d keys and the client %d, want %d each", got, want, n)
		}
	}
}
