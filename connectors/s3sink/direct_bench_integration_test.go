//go:build integration

package s3sink_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/functions/sinktest"
)

// BenchmarkS3SinkVsDirect compares the S3 sink (Kafka to S3, JsonFormat,
// flush.size 10000, 1 KiB records) with the same client library
// (aws-sdk-go-v2's s3, configured as the sink configures it) writing the
// same objects directly in the same run: the bodies the sink wrote, one
// PutObject each, as the sink sends an object smaller than s3.part.size.
// A FileStreamSink reads the topic once first (unmeasured), so neither side
// pays for a cold broker. It reports the sink's wall time and CPU as
// multiples of the direct writes' (the target is 1.5 or less) and records
// per CPU-second of this process for both (the S3 server is not counted).
func BenchmarkS3SinkVsDirect(b *testing.B) {
	const flush = 10000
	r := newRig(b)
	topic, bucket := r.Topic("s3direct", 1), r.bucket("s3direct")
	r.Produce(topic, 1, 0, benchRecords, benchOrder)
	r.Drain("warmup-"+topic, map[string]string{"connector.class": file.SinkClass, "topics": topic,
		"file": filepath.Join(b.TempDir(), "warmup.txt")})
	client := s3.New(s3.Options{Region: r.env["AWS_REGION"], BaseEndpoint: aws.String(r.env["S3_ENDPOINT"]), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(r.env["AWS_ACCESS_KEY_ID"], r.env["AWS_SECRET_ACCESS_KEY"], ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired})
	for it := 0; it < b.N; it++ {
		prefix := fmt.Sprintf("sink%d", it)
		cfg := sinkConfig(topic, bucket, "json.JsonFormat", "topics.dir", prefix, "flush.size", fmt.Sprint(flush))
		sink, sinkCPU := sinktest.Measure(func() { r.Drain(fmt.Sprintf("bench-%d-%s", it, topic), cfg) })
		keys := r.objects(bucket, prefix+"/")
		if len(keys) != benchRecords/flush {
			b.Fatalf("the sink wrote %d objects, want %d", len(keys), benchRecords/flush)
		}
		bodies := make([][]byte, len(keys))
		for i, k := range keys {
			bodies[i] = r.get(bucket, k)
		}
		direct, directCPU := sinktest.Measure(func() {
			for i, body := range bodies {
				key := "direct" + strings.TrimPrefix(keys[i], prefix)
				if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key,
					Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.ReportMetric(sink.Seconds()/direct.Seconds(), "x-direct")
		b.ReportMetric(sinkCPU.Seconds()/directCPU.Seconds(), "cpu-x-direct")
		b.ReportMetric(benchRecords/sinkCPU.Seconds(), "sink-records/CPU-s")
		b.ReportMetric(benchRecords/directCPU.Seconds(), "direct-records/CPU-s")
		b.Logf("S3 JsonFormat, %d records in objects of %d: direct client %v (%v CPU), ferry sink from Kafka %v (%v CPU)",
			benchRecords, flush, direct, directCPU, sink, sinkCPU)
	}
}
