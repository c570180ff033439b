//go:build integration

package elasticsearch_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
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
	v := fmt.Sprintf(`{"schema":%s,"payload":{"id":%d,"name":%q,"amount":%d.25,"ts":%d,"active":true,"note":null}}`,
		orderSchema, i, text(i, 960), i%1000, base.Add(time.Duration(i)*time.Second).UnixMilli())
	return &kgo.Record{Key: []byte(strconv.Itoa(i)), Value: []byte(v)}
}

func timed(r *rig, name string, cfg map[string]string) time.Duration {
	start := time.Now()
	r.Drain(name, cfg)
	return time.Since(start)
}

// BenchmarkElasticsearchSink prints records/s and MB/s into the cluster for
// 1 KiB records against FileStreamSink on the same topic in the same run.
func BenchmarkElasticsearchSink(b *testing.B) {
	r := newRig(b)
	newURL = func() string { return r.es }
	for i := 0; i < b.N; i++ {
		topic := r.Topic("es-bench", 1)
		r.Produce(topic, 1, 0, benchRecords, benchOrder)
		var kafkaBytes int
		for j := 0; j < benchRecords; j++ {
			kafkaBytes += len(benchOrder(j).Value)
		}
		fileCfg := func(n string) map[string]string {
			return map[string]string{"connector.class": file.SinkClass, "topics": topic, "file": filepath.Join(b.TempDir(), n),
				"key.converter": "org.apache.kafka.connect.storage.StringConverter"}
		}
		timed(r, "warmup-"+topic, fileCfg("warmup.txt"))
		base := timed(r, "file-"+topic, fileCfg("out.txt"))
		es := timed(r, "es-"+topic, sinkConfig(topic))
		if n := r.count(topic); n != benchRecords {
			b.Fatalf("%d documents, want %d", n, benchRecords)
		}
		for _, m := range []struct {
			name string
			d    time.Duration
		}{{"FileStreamSink (baseline)", base}, {"Elasticsearch (OpenSearch)", es}} {
			b.Logf("%-27s %8.0f records/s %7.1f MB/s (Kafka bytes)  time ×%.2f of baseline",
				m.name, benchRecords/m.d.Seconds(), float64(kafkaBytes)/1e6/m.d.Seconds(), m.d.Seconds()/base.Seconds())
		}
		b.ReportMetric(benchRecords/es.Seconds(), "records/s")
	}
}
