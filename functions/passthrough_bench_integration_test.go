//go:build integration

package functions_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// passRounds is how many times each side of a passthrough comparison runs,
// alternating ferry and raw franz-go; the figures are the medians.
const passRounds = 3

// cost is what one run used: CPU, wall time and heap allocations.
type cost struct {
	cpu, wall     time.Duration
	allocs, bytes uint64
}

// measureCost runs fn, which must move n records, and returns its cost.
func measureCost(b *testing.B, n int, fn func() int) cost {
	b.Helper()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	cpu0, t0 := cpuTime(), time.Now()
	got := fn()
	c := cost{wall: time.Since(t0), cpu: cpuTime() - cpu0}
	runtime.ReadMemStats(&m1)
	c.allocs, c.bytes = m1.Mallocs-m0.Mallocs, m1.TotalAlloc-m0.TotalAlloc
	if got != n {
		b.Fatalf("moved %d records, want %d", got, n)
	}
	return c
}

// comparison collects the rounds of ferry against its raw franz-go baseline.
type comparison struct{ ferry, raw []cost }

// report prints the medians: records per CPU-second of each side, their
// ratio (the target is 0.5 and more), ferry's records/s and its heap
// allocations and bytes per record.
func (c comparison) report(b *testing.B, n int) {
	perCPU := func(cs []cost) []float64 {
		out := make([]float64, len(cs))
		for i, x := range cs {
			out[i] = float64(n) / x.cpu.Seconds()
		}
		return out
	}
	ferry, raw := perCPU(c.ferry), perCPU(c.raw)
	ratios := make([]float64, len(ferry))
	for i := range ferry {
		ratios[i] = ferry[i] / raw[i]
	}
	b.ReportMetric(median(ferry, nil), "ferry-records/cpu-s")
	b.ReportMetric(median(raw, nil), "raw-kgo-records/cpu-s")
	b.ReportMetric(median(ratios, nil), "ferry/raw-kgo-cpu-x")
	b.ReportMetric(float64(n)/median(c.ferry, func(x cost) float64 { return x.wall.Seconds() }), "ferry-records/s")
	b.ReportMetric(median(c.ferry, func(x cost) float64 { return float64(x.allocs) })/float64(n), "ferry-allocs/record")
	b.ReportMetric(median(c.ferry, func(x cost) float64 { return float64(x.bytes) })/float64(n), "ferry-B/record")
}

// median is the median of key over xs (key nil: xs are float64s).
func median[T any](xs []T, key func(T) float64) float64 {
	vs := make([]float64, len(xs))
	for i, x := range xs {
		if key == nil {
			vs[i] = any(x).(float64)
		} else {
			vs[i] = key(x)
		}
	}
	slices.Sort(vs)
	return vs[len(vs)/2]
}

// BenchmarkJSONPassthrough compares ferry's JSON passthrough pipelines
// (schemaless JSON values, string keys, no SMTs) with raw franz-go moving the
// same bytes in the same run, alternating the two passRounds times:
//
//   - datagen-to-kafka: ferry's datagen source (orders quickstart) to Kafka,
//     against a franz-go producer with ferry's producer settings producing
//     the keys, values, headers and timestamps ferry produced;
//   - kafka-to-file: ferry's FileStreamSink reading that topic, against a
//     franz-go consumer with ferry's fetch settings writing each value as a
//     line, fsyncing and committing its offset every invocation's worth of
//     records, as ferry does once per invocation.
//
// Each invocation moves at most 100,000 records (the scheduler's default
// batch limit); the sink runs again with invocations of 5,000 records, as
// when it keeps up with a stream, so its per-invocation costs show.
func BenchmarkJSONPassthrough(b *testing.B) {
	h, st, seeds := benchHandler(b)
	base := fmt.Sprintf("bench-pass-%d", time.Now().UnixNano()%1e9)
	var topic string
	b.Run("datagen-to-kafka", func(b *testing.B) {
		var c comparison
		for round := range passRounds {
			t := fmt.Sprintf("%s-%d", base, round)
			c.ferry = append(c.ferry, measureCost(b, benchRecords, func() int { return runAll(b, h, st, benchDatagen(t)) }))
			in := offHeap(b, readTopic(b, seeds, t, benchRecords))
			cl := rawProducer(b, seeds) // connected before, as ferry's pooled producer is
			c.raw = append(c.raw, measureCost(b, benchRecords, func() int { return rawProduce(b, cl, t+"-raw", in) }))
			cl.Close()
			topic = t
		}
		c.report(b, benchRecords)
	})
	// The scheduler's default batch, and small batches as a sink keeping up
	// with a stream sees them, where per-invocation costs weigh most.
	for _, batch := range []int{100_000, 5_000} {
		b.Run(fmt.Sprintf("kafka-to-file-batch-%d", batch), func(b *testing.B) {
			if topic == "" {
				b.Fatal("datagen-to-kafka did not run: the sink reads its topic")
			}
			var c comparison
			dir := b.TempDir()
			for round := range passRounds {
				name := fmt.Sprintf("%s-sink-%d-%d", base, batch, round)
				inv := functions.Invocation{ID: name, Connector: name, Class: "FileStreamSink", MaxRecords: batch,
					Config: map[string]string{"name": name, "connector.class": "FileStreamSink", "topics": topic,
						"file": filepath.Join(dir, name+".txt"), "tasks.max": "1", "consumer.override.max.poll.records": fmt.Sprint(min(batch, 10000))}}
				c.ferry = append(c.ferry, measureCost(b, benchRecords, func() int { return runAll(b, h, st, inv) }))
				raw := filepath.Join(dir, name+"-raw.txt")
				c.raw = append(c.raw, measureCost(b, benchRecords, func() int { return rawConsume(b, seeds, topic, raw, benchRecords, batch) }))
			}
			c.report(b, benchRecords)
		})
	}
}

// benchDatagen is a datagen source of benchRecords orders into topic.
func benchDatagen(topic string) functions.Invocation {
	return functions.Invocation{ID: topic, Connector: topic + "-src", Class: "DatagenConnector", MaxRecords: 100_000,
		Config: map[string]string{"name": topic + "-src", "connector.class": "DatagenConnector", "kafka.topic": topic,
			"quickstart": "orders", "iterations": fmt.Sprint(benchRecords), "max.interval": "0", "task.id": "0", "tasks.max": "1"}}
}

// readTopic returns the first n records of partition 0 of topic (the
// broker's num.partitions is 1).
func readTopic(b *testing.B, seeds []string, topic string, n int) []*kgo.Record {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().At(0)}}))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	out := make([]*kgo.Record, 0, n)
	for len(out) < n {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		fs := cl.PollFetches(ctx)
		stalled := ctx.Err() != nil
		cancel()
		if stalled {
			b.Fatalf("reading %s stalled at %d records: %v", topic, len(out), fs.Errors())
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	return out[:n]
}

// rawProducer is a plain franz-go producer with ferry's producer settings
// (acks=all, 2 ms linger, 256 KiB batches, 4,096 records buffered), connected
// to the cluster.
func rawProducer(b *testing.B, seeds []string) *kgo.Client {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(2*time.Millisecond),
		kgo.ProducerBatchMaxBytes(256<<10), kgo.MaxBufferedRecords(1<<12), kgo.AllowAutoTopicCreation())
	if err != nil {
		b.Fatal(err)
	}
	if err := cl.Ping(context.Background()); err != nil {
		b.Fatal(err)
	}
	return cl
}

// rawProduce produces the keys, values, headers and timestamps of in to
// topic with cl: the same bytes ferry produced, headers included.
func rawProduce(b *testing.B, cl *kgo.Client, topic string, in rawInput) int {
	var failed error
	for _, r := range in.recs {
		cl.Produce(context.Background(), &kgo.Record{Topic: topic, Key: r.key, Value: r.value, Headers: r.headers, Timestamp: time.UnixMilli(r.ts)}, func(_ *kgo.Record, err error) {
			if err != nil {
				failed = err
			}
		})
	}
	if err := cl.Flush(context.Background()); err != nil || failed != nil {
		b.Fatal(err, failed)
	}
	return len(in.recs)
}

// rawInput is what raw franz-go produces, held outside the Go heap (an
// anonymous mapping) so that holding it does not change how often the
// garbage collector runs: with the 200,000 consumed records on the heap
// (about 110 MB), the raw producer's own allocations (about 50 MB) never
// started a collection, so its garbage collection was never in its figure,
// where a producer generating its records pays it as ferry does.
type rawInput struct{ recs []rawRecord }

// rawRecord is one record of a rawInput; its slices point into the mapping.
type rawRecord struct {
	key, value []byte
	headers    []kgo.RecordHeader
	ts         int64
}

// offHeap copies the keys, values, headers and timestamps of recs into a rawInput.
func offHeap(b *testing.B, recs []*kgo.Record) rawInput {
	size, nh := 0, 0
	for _, r := range recs {
		size += len(r.Key) + len(r.Value)
		for _, h := range r.Headers {
			size += len(h.Key) + len(h.Value)
		}
		nh += len(r.Headers)
	}
	recSize, hdrSize := int(unsafe.Sizeof(rawRecord{})), int(unsafe.Sizeof(kgo.RecordHeader{}))
	mem, err := syscall.Mmap(-1, 0, len(recs)*recSize+nh*hdrSize+size+1, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		b.Fatal(err)
	}
	in := rawInput{recs: unsafe.Slice((*rawRecord)(unsafe.Pointer(&mem[0])), len(recs))}
	hdrs := unsafe.Slice((*kgo.RecordHeader)(unsafe.Pointer(&mem[len(recs)*recSize])), nh)
	data := mem[len(recs)*recSize+nh*hdrSize:]
	b.Cleanup(func() { _ = syscall.Munmap(mem) }) // when no record points into it any more
	put := func(p []byte) []byte {
		if p == nil {
			return nil
		}
		n := copy(data, p)
		out := data[:n:n]
		data = data[n:]
		return out
	}
	for i, r := range recs {
		hs := hdrs[:len(r.Headers):len(r.Headers)]
		hdrs = hdrs[len(r.Headers):]
		for j, h := range r.Headers {
			k := put([]byte(h.Key))
			hs[j] = kgo.RecordHeader{Key: unsafe.String(unsafe.SliceData(k), len(k)), Value: put(h.Value)}
		}
		in.recs[i] = rawRecord{key: put(r.Key), value: put(r.Value), headers: hs, ts: r.Timestamp.UnixMilli()}
	}
	return in
}

// rawConsume reads n records from partition 0 of topic with plain franz-go
// and ferry's fetch settings and writes each value as a line. Every batch
// records it does what a sink must before it moves on (ferry does it once
// per invocation of batch records): flush and fsync the file, then commit
// the next offset to a consumer group.
func rawConsume(b *testing.B, seeds []string, topic, path string, n, batch int) int {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.FetchMaxWait(200*time.Millisecond), kgo.FetchMaxBytes(16<<20), kgo.FetchMaxPartitionBytes(256<<10),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().At(0)}}))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	group := filepath.Base(path)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 256<<10)
	got, next := 0, int64(0)
	sync := func() {
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		var offs kadm.Offsets
		offs.AddOffset(topic, 0, next, -1)
		if err := adm.CommitAllOffsets(context.Background(), group, offs); err != nil {
			b.Fatal(err)
		}
	}
	for got < n {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		fs := cl.PollRecords(ctx, 10000)
		stalled := ctx.Err() != nil
		cancel()
		if stalled {
			b.Fatalf("raw consume of %s stalled at %d records: %v", topic, got, fs.Errors())
		}
		fs.EachRecord(func(r *kgo.Record) {
			if got < n {
				w.Write(r.Value)
				w.WriteByte('\n')
				got, next = got+1, r.Offset+1
				if got%batch == 0 {
					sync()
				}
			}
		})
	}
	if got%batch != 0 {
		sync()
	}
	return got
}
