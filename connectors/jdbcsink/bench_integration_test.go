//go:build integration

package jdbcsink_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/file"
	"github.com/twmb/franz-go/pkg/kgo"
)

const benchRecords = 30000

func text(seed, n int) string {
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	b := make([]byte, n)
	for i := range b {
		if c := r.IntN(27); c == 26 {
			b[i] = ' '
		} else {
			b[i] = byte('a' + c)
		}
	}
	return string(b)
}

// benchOrder is order i with about 1 KiB of payload.
func benchOrder(i int) *kgo.Record {
	rec := order(i, 0, false)
	rec.Value = []byte(fmt.Sprintf(`{"schema":{"type":"struct","name":"ferry.test.Order","optional":false,"fields":[%s]},"payload":{"id":%d,"name":%q,"amount":%d.25,"ts":%d,"active":true,"note":null}}`,
		fields, i, text(i, 960), i%1000, base.Add(time.Duration(i)*time.Second).UnixMilli()))
	return rec
}

func timed(r *rig, name string, cfg map[string]string) time.Duration {
	start := time.Now()
	r.Drain(name, cfg)
	return time.Since(start)
}

// BenchmarkJDBCSink prints records/s and MB/s upserted into PostgreSQL and
// MariaDB for 1 KiB records, against FileStreamSink on the same topic.
func BenchmarkJDBCSink(b *testing.B) {
	r := newRig(b)
	for i := 0; i < b.N; i++ {
		topic := r.Topic("jdbc_bench", 1)
		r.Produce(topic, 1, 0, benchRecords, benchOrder)
		var kafkaBytes int
		for j := 0; j < benchRecords; j++ {
			kafkaBytes += len(benchOrder(j).Value)
		}
		fileCfg := func(n string) map[string]string {
			return map[string]string{"connector.class": file.SinkClass, "topics": topic, "file": filepath.Join(b.TempDir(), n)}
		}
		timed(r, "warmup-"+topic, fileCfg("warmup.txt"))
		base := timed(r, "file-"+topic, fileCfg("out.txt"))
		b.Logf("%-26s %8.0f records/s %7.1f MB/s (Kafka bytes)  time ×1.00 of baseline",
			"FileStreamSink (baseline)", benchRecords/base.Seconds(), float64(kafkaBytes)/1e6/base.Seconds())
		for _, d := range r.dbs {
			took := timed(r, d.name+"-"+topic, sinkConfig(topic, d.url))
			if n := d.count(b, topic); n != benchRecords {
				b.Fatalf("%s: %d rows, want %d", d.name, n, benchRecords)
			}
			b.Logf("%-26s %8.0f records/s %7.1f MB/s (Kafka bytes)  time ×%.2f of baseline", "JDBC upsert "+d.name,
				benchRecords/took.Seconds(), float64(kafkaBytes)/1e6/took.Seconds(), took.Seconds()/base.Seconds())
			b.ReportMetric(benchRecords/took.Seconds(), d.name+"-records/s")
		}
	}
}
