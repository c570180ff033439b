//go:build integration

package s3sink_test

import (
	"context"
	"fmt"
	"github.com/ferryhq/ferry/functions/sinktest"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ferryhq/ferry/connectors/file"
	"github.com/twmb/franz-go/pkg/kgo"
)

// benchRecords is how many 1 KiB records each benchmark writes.
const benchRecords = 30000

// text is n pseudo-random lower-case letters and spaces, fixed by seed.
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

// benchOrder is order i with about 1 KiB of payload (a random name).
func benchOrder(i int) *kgo.Record {
	rec := sinktest.Order(i, 0, time.Second)
	rec.Value = []byte(fmt.Sprintf(`{"schema":%s,"payload":{"id":%d,"name":%q,"amount":%s,"ts":%d,"active":true,"note":null}}`,
		sinktest.OrderSchema, i, text(i, 960), sinktest.Amount(i), rec.Timestamp.UnixMilli()))
	return rec
}

// timed drains connector name and returns the wall time.
func timed(r *rig, name string, cfg map[string]string) time.Duration {
	start := time.Now()
	r.Drain(name, cfg)
	return time.Since(start)
}

// BenchmarkS3Sink prints records/s and MB/s into S3 (JSON and Parquet) for
// 1 KiB records, against FileStreamSink on the same topic in the same run,
// and the Parquet bytes against the JSON bytes of the same records.
func BenchmarkS3Sink(b *testing.B) {
	r := newRig(b)
	for i := 0; i < b.N; i++ {
		topic, bucket := r.Topic("s3bench", 1), r.bucket("s3bench")
		r.Produce(topic, 1, 0, benchRecords, benchOrder)
		var kafkaBytes int
		for j := 0; j < benchRecords; j++ {
			kafkaBytes += len(benchOrder(j).Value)
		}
		timed(r, "warmup-"+topic, map[string]string{"connector.class": file.SinkClass, "topics": topic,
			"file": filepath.Join(b.TempDir(), "warmup.txt")})
		base := timed(r, "file-"+topic, map[string]string{"connector.class": file.SinkClass, "topics": topic,
			"file": filepath.Join(b.TempDir(), "out.txt")})
		js := timed(r, "js-"+topic, sinkConfig(topic, bucket, "json.JsonFormat", "topics.dir", "js", "flush.size", "10000"))
		pq := timed(r, "pq-"+topic, sinkConfig(topic, bucket, "parquet.ParquetFormat", "topics.dir", "pq", "flush.size", "10000"))
		jsBytes, pqBytes := r.size(bucket, "js/"), r.size(bucket, "pq/")
		for _, m := range []struct {
			name string
			d    time.Duration
		}{{"FileStreamSink (baseline)", base}, {"S3 JsonFormat", js}, {"S3 ParquetFormat snappy", pq}} {
			b.Logf("%-26s %8.0f records/s %7.1f MB/s (Kafka bytes)  time ×%.2f of baseline",
				m.name, benchRecords/m.d.Seconds(), float64(kafkaBytes)/1e6/m.d.Seconds(), m.d.Seconds()/base.Seconds())
		}
		b.Logf("object bytes: JSON %d, Parquet %d: Parquet/JSON = %.3f", jsBytes, pqBytes, float64(pqBytes)/float64(jsBytes))
		b.ReportMetric(benchRecords/js.Seconds(), "json-records/s")
		b.ReportMetric(benchRecords/pq.Seconds(), "parquet-records/s")
		b.ReportMetric(float64(pqBytes)/float64(jsBytes), "parquet/json-bytes")
	}
}

// size sums the sizes of the objects under prefix.
func (r *rig) size(bucket, prefix string) int64 {
	var n int64
	p := s3.NewListObjectsV2Paginator(r.s3, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			r.T.Fatal(err)
		}
		for _, o := range page.Contents {
			n += *o.Size
		}
	}
	return n
}
