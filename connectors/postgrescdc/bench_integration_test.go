//go:build integration

package postgrescdc_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium/oracle"
	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// BenchmarkCDC prints rows/s into Kafka for the snapshot and for streaming
// changes (as ratios to raw franz-go producing records of the same size in
// the same run), streaming changes per CPU-second of this process (ratio
// to raw franz-go's records per CPU-second), and commit-to-Kafka latency p50/p99 with poll.interval.ms
// at Debezium's default (500) and at 100. The scheduler is stood in for by
// a loop with its rule: re-invoke at once when more, else after poll.interval.ms.
func BenchmarkCDC(b *testing.B) {
	const rows = 100000
	conn := pg(b)
	name := uniq("bcdc")
	tbl := name + "_t"
	exec(b, conn, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY, label TEXT NOT NULL, qty INT NOT NULL, ts TIMESTAMPTZ NOT NULL DEFAULT now())",
		fmt.Sprintf("INSERT INTO %s SELECT g, 'label-'||g, g FROM generate_series(1, %d) g", tbl, rows))
	dropSlot(b, conn, name)
	cfg := connectorConfig(b, name, "public."+tbl)
	hs := newHarness(b, cfg)
	start := time.Now()
	if n := hs.Drain(100000); n != rows {
		b.Fatalf("snapshot read %d", n)
	}
	snap := float64(rows) / time.Since(start).Seconds()
	sample := consume(b, name+".public."+tbl, 1, 10*time.Second)[0].Raw
	for i := 0; i < 100; i++ {
		exec(b, conn, fmt.Sprintf("INSERT INTO %s SELECT g, 'label-'||g, g FROM generate_series(%d, %d) g", tbl, rows+i*1000+1, rows+(i+1)*1000))
	}
	start, cpu := time.Now(), oracle.CPUSeconds(b)
	if n := hs.DrainAtLeast(100000, rows); n != rows {
		b.Fatalf("stream read %d", n)
	}
	stream, streamCPU := float64(rows)/time.Since(start).Seconds(), float64(rows)/(oracle.CPUSeconds(b)-cpu)
	raw, rawCPU := oracle.RawProduce(b, seeds(b), rows, sample)
	b.ReportMetric(snap, "snapshot_rows/s")
	b.ReportMetric(stream, "stream_rows/s")
	fmt.Printf("BenchmarkCDC: raw franz-go %.0f rec/s (%d-byte records); snapshot %.0f rows/s (%.2f× raw); streaming %.0f rows/s (%.2f× raw)\n",
		raw, len(sample), snap, snap/raw, stream, stream/raw)
	fmt.Printf("BenchmarkCDC: streaming %.0f changes per CPU-second (%.2f× raw franz-go's %.0f)\n", streamCPU, streamCPU/rawCPU, rawCPU)
	b.ReportMetric(streamCPU, "stream_changes/cpu-s")
	for _, poll := range []string{"500", "100"} {
		p50, p99 := cdcLatency(b, conn, tbl, name, hs, poll)
		fmt.Printf("BenchmarkCDC: commit→Kafka latency with poll.interval.ms=%s: p50 %v p99 %v\n", poll, p50, p99)
		b.ReportMetric(float64(p50.Milliseconds()), "p50_ms_poll"+poll)
		b.ReportMetric(float64(p99.Milliseconds()), "p99_ms_poll"+poll)
	}
}

// cdcLatency inserts one row every 20 ms for 3 s while the invocation loop
// runs, and measures from each INSERT's return to the record's arrival.
func cdcLatency(b *testing.B, conn *pgx.Conn, tbl, name string, hs *harness, poll string) (time.Duration, time.Duration) {
	const n, base = 150, 1000000
	pause, _ := strconv.Atoi(poll)
	hs.Cfg["poll.interval.ms"] = poll
	topic := name + ".public." + tbl
	seeds := strings.Split(env(b, "KAFKA_BOOTSTRAP_SERVERS"), ",")
	adm, err := kgo.NewClient(kgo.SeedBrokers(seeds...))
	if err != nil {
		b.Fatal(err)
	}
	ends, err := kadm.NewClient(adm).ListEndOffsets(context.Background(), topic)
	adm.Close()
	if err != nil {
		b.Fatal(err)
	}
	at := map[string]map[int32]kgo.Offset{topic: {}}
	ends.Each(func(o kadm.ListedOffset) { at[topic][o.Partition] = kgo.NewOffset().At(o.Offset) })
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumePartitions(at))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	var sent sync.Map
	var stop atomic.Bool
	loop := make(chan struct{})
	var durs []time.Duration
	go func() { // the scheduler's rule
		defer close(loop)
		for !stop.Load() {
			res := hs.Invoke(100000)
			durs = append(durs, res.Duration)
			if !res.More {
				time.Sleep(time.Duration(pause) * time.Millisecond)
			}
		}
	}()
	go func() {
		for i := 0; i < n; i++ {
			if _, err := conn.Exec(context.Background(), fmt.Sprintf("INSERT INTO %s VALUES (%d, 'lat', 0)", tbl, base+i+pause*1000)); err != nil {
				panic(err)
			}
			sent.Store(base+i+pause*1000, time.Now())
			time.Sleep(20 * time.Millisecond)
		}
	}()
	var lat []time.Duration
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for len(lat) < n && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			now := time.Now()
			if r.Value == nil {
				return
			}
			after, _ := sourcetest.Payload(sourcetest.Decode(b, r.Value))["after"].(map[string]any)
			id, _ := strconv.Atoi(fmt.Sprint(after["id"]))
			if t0, ok := sent.Load(id); ok {
				lat = append(lat, now.Sub(t0.(time.Time)))
			}
		})
	}
	stop.Store(true)
	<-loop
	d50, d99 := percentiles(durs)
	fmt.Printf("BenchmarkCDC: poll.interval.ms=%s: %d invocations, duration p50 %v p99 %v\n", poll, len(durs), d50, d99)
	return percentiles(lat)
}

func percentiles(d []time.Duration) (time.Duration, time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2], d[len(d)*99/100]
}
