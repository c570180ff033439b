//go:build integration

package s3sink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/connectors/s3sink"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// BenchmarkS3SinkVsDirect compares, in one run, the S3 sink with the same
// client library (aws-sdk-go-v2's s3, configured as the sink configures it)
// writing the same objects directly, in two ways:
//
//   - sink: ferry's S3 sink draining the topic: it reads the 30,000 records
//     of about 1.5 KiB (JsonConverter envelopes with schemas) from Kafka,
//     converts them to Connect values, writes them as JsonFormat lines in
//     objects of flush.size 10000 (one PutObject each, as objects below
//     s3.part.size are sent) and commits the offsets in a transaction.
//   - direct (x-direct, cpu-x-direct): the client alone putting the bodies
//     the sink wrote, one PutObject each, as many at once as the sink sends
//     (MaxSetsInFlight); nothing read from Kafka.
//   - direct from Kafka (x-direct-kafka, cpu-x-direct-kafka): a hand-written
//     pipeline, sinktest.FromKafka (franz-go with the sink's fetch settings,
//     one plain offset commit) reading the same records, taking each
//     envelope's payload with encoding/json (the payloads are compact JSON,
//     so the lines are the sink's bytes), and putting objects of 10,000
//     lines. Its objects are checked to equal the sink's byte for byte.
//
// A FileStreamSink reads the topic once first (unmeasured), so no side pays
// for a cold broker, then the S3 sink drains it once, measured apart
// (first-x-direct, first-cpu-x-direct): the process's first invocation
// builds the S3 client and grows the heap, which a running worker has done
// and the client alone does outside its measurement. It reports the sink's wall time and CPU as multiples of
// each baseline's (the target is 1.5 or less) and records per CPU-second of
// this process for all three (the S3 server and the broker are not counted).
func BenchmarkS3SinkVsDirect(b *testing.B) {
	r := newRig(b)
	s3VersusDirect(b, r, r.env["S3_ENDPOINT"])
}

// BenchmarkS3SinkVsDirectRemote is BenchmarkS3SinkVsDirect with every
// request to the store (the sink's and the baselines') held 100 ms by a
// proxy, as for a store across a network: the local server on the shared
// machine answers as fast as its CPU allows, S3 itself is a round trip and a
// transfer away.
func BenchmarkS3SinkVsDirectRemote(b *testing.B) {
	r := newRig(b)
	target, err := url.Parse(r.env["S3_ENDPOINT"])
	if err != nil {
		b.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		time.Sleep(100 * time.Millisecond) // the network's delay, not a wait for a result
		rp.ServeHTTP(w, req)
	}))
	defer proxy.Close()
	s3VersusDirect(b, r, proxy.URL)
}

// s3VersusDirect runs the three sides against the store at endpoint.
func s3VersusDirect(b *testing.B, r *rig, endpoint string) {
	const flush = 10000
	topic, bucket := r.Topic("s3direct", 1), r.bucket("s3direct")
	r.Produce(topic, 1, 0, benchRecords, benchOrder)
	r.Drain("warmup-"+topic, map[string]string{"connector.class": file.SinkClass, "topics": topic,
		"file": filepath.Join(b.TempDir(), "warmup.txt")})
	// The process's first S3 sink invocation, measured apart: it builds the
	// S3 client (the credential chain) and grows the heap (page faults for
	// the objects' buffers), which a running worker has done (the client is
	// kept, clientCache); the client alone's client is built, and its bodies
	// allocated, outside its measurement too.
	runtime.GC()
	first, firstCPU := sinktest.Measure(func() {
		r.Drain("first-"+topic, sinkConfig(topic, bucket, "json.JsonFormat", "topics.dir", "first", "flush.size", fmt.Sprint(flush), "store.url", endpoint))
	})
	client := s3.New(s3.Options{Region: r.env["AWS_REGION"], BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(r.env["AWS_ACCESS_KEY_ID"], r.env["AWS_SECRET_ACCESS_KEY"], ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired})
	put := func(key string, body []byte) error {
		_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key,
			Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
		return err
	}
	for it := 0; it < b.N; it++ {
		prefix := fmt.Sprintf("sink%d", it)
		cfg := sinkConfig(topic, bucket, "json.JsonFormat", "topics.dir", prefix, "flush.size", fmt.Sprint(flush), "store.url", endpoint)
		runtime.GC()
		sink, sinkCPU := sinktest.Measure(func() { r.Drain(fmt.Sprintf("bench-%d-%s", it, topic), cfg) })
		keys := r.objects(bucket, prefix+"/")
		if len(keys) != benchRecords/flush {
			b.Fatalf("the sink wrote %d objects, want %d", len(keys), benchRecords/flush)
		}
		bodies := make([][]byte, len(keys))
		for i, k := range keys {
			bodies[i] = r.get(bucket, k)
		}
		runtime.GC()
		direct, directCPU := sinktest.Measure(func() { putAll(b, put, bodies, keys, prefix) })
		if it == 0 {
			b.ReportMetric(first.Seconds()/direct.Seconds(), "first-x-direct")
			b.ReportMetric(firstCPU.Seconds()/directCPU.Seconds(), "first-cpu-x-direct")
			b.Logf("the process's first S3 sink invocation: %v (%v CPU)", first.Round(time.Millisecond), firstCPU.Round(time.Millisecond))
		}
		runtime.GC()
		object := 0
		fromKafka, fromKafkaCPU := r.FromKafka(topic, benchRecords, flush, func(recs []*kgo.Record) {
			var body []byte
			for _, rec := range recs {
				var env struct{ Payload json.RawMessage }
				if err := json.Unmarshal(rec.Value, &env); err != nil {
					b.Fatal(err)
				}
				body = append(append(body, env.Payload...), '\n')
			}
			if err := put("kafka"+strings.TrimPrefix(keys[object], prefix), body); err != nil {
				b.Fatal(err)
			}
			object++
		}, nil)
		for _, k := range keys {
			if got := r.get(bucket, "kafka"+strings.TrimPrefix(k, prefix)); !bytes.Equal(got, r.get(bucket, k)) {
				b.Fatalf("the hand-written pipeline's %s differs from the sink's", k)
			}
		}
		sinktest.Report(b, "S3 JsonFormat", benchRecords, sink, sinkCPU, sinktest.Baseline{Name: "direct", Wall: direct, CPU: directCPU},
			sinktest.Baseline{Name: "direct-kafka", Wall: fromKafka, CPU: fromKafkaCPU})
	}
}

// putAll puts the bodies under the sink's keys with "direct" for prefix,
// as many at once as the sink sends (two file sets, one object each here):
// the client alone gets the same concurrency as the sink.
func putAll(b *testing.B, put func(key string, body []byte) error, bodies [][]byte, keys []string, prefix string) {
	slots := make(chan struct{}, s3sink.MaxSetsInFlight)
	errs := make(chan error, len(bodies))
	for i, body := range bodies {
		slots <- struct{}{}
		go func() {
			errs <- put("direct"+strings.TrimPrefix(keys[i], prefix), body)
			<-slots
		}()
	}
	for range bodies {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
}
