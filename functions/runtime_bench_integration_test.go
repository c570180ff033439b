//go:build integration

package functions_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state/file"
	"github.com/twmb/franz-go/pkg/kgo"
)

// benchRecords is the size of each benchmark pipeline run.
const benchRecords = 200_000

// cpuTime is the user+system CPU this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs fn once and reports records/s, CPU seconds per million records
// and records per CPU-second (records/s per core).
func measure(b *testing.B, records int, fn func() int) (perCPU float64) {
	b.Helper()
	cpu0, t0 := cpuTime(), time.Now()
	got := fn()
	wall, cpu := time.Since(t0), cpuTime()-cpu0
	if got != records {
		b.Fatalf("moved %d records, want %d", got, records)
	}
	perCPU = float64(records) / cpu.Seconds()
	b.ReportMetric(float64(records)/wall.Seconds(), "records/s")
	b.ReportMetric(cpu.Seconds()*1e6/float64(records), "cpu-s/Mrecords")
	b.ReportMetric(perCPU, "records/cpu-s")
	return perCPU
}

// benchHandler is a Handler on the real Kafka with file state in a temp dir.
func benchHandler(b *testing.B) (*functions.Handler, *file.Store, []string) {
	b.Helper()
	seeds := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if seeds == "" {
		b.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka redis nats)\"`")
	}
	st, err := file.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	h, err := functions.NewHandler(functions.Options{Plugins: builtin.Registry(), Store: st, Seeds: strings.Split(seeds, ","), InstanceID: "bench", Worker: jsonWorker})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	return h, st, strings.Split(seeds, ",")
}

// jsonWorker makes values plain JSON (schemas.enable=false): about 200 bytes per order.
var jsonWorker = map[string]string{
	"key.converter":   "org.apache.kafka.connect.storage.StringConverter",
	"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
}

// runAll invokes until the task reports no more data, like the scheduler does.
func runAll(b *testing.B, h *functions.Handler, st *file.Store, inv functions.Invocation) int {
	total := 0
	for {
		epoch, err := st.NextEpoch(context.Background(), inv.Connector, inv.Task)
		if err != nil {
			b.Fatal(err)
		}
		inv.Epoch, inv.Deadline = epoch, time.Now().Add(30*time.Second)
		res, err := h.Handle(context.Background(), inv)
		if err != nil {
			b.Fatalf("invocation %d: %v", epoch, err)
		}
		total += int(res.Written)
		if !res.More {
			return total
		}
	}
}

// BenchmarkPipelines measures datagen -> Kafka and Kafka -> file through the
// function runtime against raw franz-go produce/consume of the same bytes (the
// baseline, measured in the same run), and prints the ratios.
func BenchmarkPipelines(b *testing.B) {
	h, st, seeds := benchHandler(b)
	topic := fmt.Sprintf("bench-orders-%d", time.Now().UnixNano()%1e9)
	var src, sink, rawProduce, rawConsume float64
	b.Run("datagen-to-kafka", func(b *testing.B) {
		inv := functions.Invocation{ID: "bench-src", Connector: topic + "-src", Class: "DatagenConnector", MaxRecords: 100_000,
			Config: map[string]string{"name": topic + "-src", "connector.class": "DatagenConnector", "kafka.topic": topic, "quickstart": "orders",
				"iterations": fmt.Sprint(benchRecords), "max.interval": "0", "task.id": "0", "tasks.max": "1"}}
		src = measure(b, benchRecords, func() int { return runAll(b, h, st, inv) })
	})
	b.Run("raw-kgo-produce", func(b *testing.B) {
		rawProduce = measure(b, benchRecords, func() int { return rawProduceRun(b, seeds, topic+"-raw") })
	})
	out := filepath.Join(b.TempDir(), "out.txt")
	b.Run("kafka-to-file", func(b *testing.B) {
		inv := functions.Invocation{ID: "bench-sink", Connector: topic + "-sink", Class: "FileStreamSink", MaxRecords: 100_000,
			Config: map[string]string{"name": topic + "-sink", "connector.class": "FileStreamSink", "topics": topic, "file": out, "tasks.max": "1"}}
		sink = measure(b, benchRecords, func() int { return runAll(b, h, st, inv) })
	})
	b.Run("raw-kgo-consume-to-file", func(b *testing.B) {
		rawConsume = measure(b, benchRecords, func() int { return rawConsumeRun(b, seeds, topic, filepath.Join(b.TempDir(), "raw.txt")) })
	})
	if src > 0 && sink > 0 && rawProduce > 0 && rawConsume > 0 {
		fmt.Printf("ferry/raw-franz-go records-per-cpu-second: datagen->kafka %.2f, kafka->file %.2f\n", src/rawProduce, sink/rawConsume)
	}
}

// rawProduceRun produces benchRecords 200-byte JSON values with plain franz-go.
func rawProduceRun(b *testing.B, seeds []string, topic string) int {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ProducerLinger(2*time.Millisecond), kgo.AllowAutoTopicCreation())
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	value := []byte(`{"ordertime":1497014222380,"orderid":18,"itemid":"Item_184","orderunits":8.47,"address":{"city":"City_","state":"State_","zipcode":56711}}` + strings.Repeat(" ", 60))
	for i := 0; i < benchRecords; i++ {
		cl.Produce(context.Background(), &kgo.Record{Topic: topic, Value: value}, nil)
	}
	if err := cl.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	return benchRecords
}

// rawConsumeRun reads benchRecords from partition 0 of topic (the broker's
// num.partitions is 1) with plain franz-go and writes each value as a line.
func rawConsumeRun(b *testing.B, seeds []string, topic, path string) int {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().At(0)}}))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	f, _ := os.Create(path)
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	n := 0
	for n < benchRecords {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		fs := cl.PollFetches(ctx)
		stalled := ctx.Err() != nil
		cancel()
		if stalled {
			b.Fatalf("raw consume stalled at %d: %v", n, fs.Errors())
		}
		fs.EachRecord(func(r *kgo.Record) { w.Write(r.Value); w.WriteByte('\n'); n++ })
	}
	w.Flush()
	f.Sync()
	return n
}
