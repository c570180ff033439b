//go:build integration

package jdbc_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// rawProduce is the baseline: franz-go producing n copies of sample (a
// record ferry wrote, so compression sees the same bytes)
// (acks=all, as ferry's producer), after a warm-up record.
func rawProduce(b *testing.B, n int, sample []byte) float64 {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(env(b, "KAFKA_BOOTSTRAP_SERVERS"), ",")...),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(2*time.Millisecond), kgo.AllowAutoTopicCreation(),
		kgo.MaxBufferedRecords(1<<16))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	topic, val := uniq("raw"), sample
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: topic, Value: val}).FirstErr(); err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		cl.Produce(context.Background(), &kgo.Record{Topic: topic, Value: val}, func(*kgo.Record, error) { wg.Done() })
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkJDBC prints, per database, rows/s into Kafka for an initial load
// of 100,000 rows (incrementing mode, batch.max.rows=1000) as a ratio to raw
// franz-go producing records of the same size in the same run, and
// commit-to-Kafka latency p50/p99 with poll.interval.ms at Confluent's
// default (5000) and at 100. A loop with the scheduler's rule (re-invoke at
// once when more, else after poll.interval.ms) stands in for the scheduler.
func BenchmarkJDBC(b *testing.B) {
	const rows = 100000
	for _, d := range databases(b) {
		table := uniq("bench")
		if d.name == "postgresql" {
			d.exec(b, "CREATE TABLE "+table+" (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, n INT NOT NULL)",
				fmt.Sprintf("INSERT INTO %s (name, n) SELECT 'row-'||g, g FROM generate_series(1, %d) g", table, rows))
		} else {
			d.exec(b, "CREATE TABLE "+table+" (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL, n INT NOT NULL)",
				fmt.Sprintf("INSERT INTO %s (name, n) SELECT CONCAT('row-', seq), seq FROM seq_1_to_%d", table, rows))
		}
		hs := newHarness(b, table, map[string]string{"connection.url": d.jdbcURL, "mode": "incrementing",
			"table.whitelist": table, "topic.prefix": "bench-", "batch.max.rows": "1000"})
		tc := hs.taskConfigs(1)[0]
		var done atomic.Bool
		done.Store(true)
		start := time.Now()
		hs.runUntil(tc, 0, &done)
		load := float64(rows) / time.Since(start).Seconds()
		sample := firstValue(b, "bench-"+table)
		raw := rawProduce(b, rows, sample)
		fmt.Printf("BenchmarkJDBC %s: raw franz-go %.0f rec/s (%d-byte records); initial load %.0f rows/s (%.2f× raw)\n",
			d.name, raw, len(sample), load, load/raw)
		b.ReportMetric(load, d.name+"_load_rows/s")
		for _, poll := range []int{5000, 100} {
			p50, p99 := jdbcLatency(b, d, table, hs, tc, poll)
			fmt.Printf("BenchmarkJDBC %s: commit→Kafka latency with poll.interval.ms=%d: p50 %v p99 %v\n", d.name, poll, p50, p99)
			b.ReportMetric(float64(p50.Milliseconds()), fmt.Sprintf("%s_p50_ms_poll%d", d.name, poll))
			b.ReportMetric(float64(p99.Milliseconds()), fmt.Sprintf("%s_p99_ms_poll%d", d.name, poll))
		}
	}
}

// jdbcLatency inserts one row every 20 ms for max(3 s, 2 polls) while the
// invocation loop runs, and measures from each INSERT's return to the
// record's arrival in Kafka.
func jdbcLatency(b *testing.B, d database, table string, hs *harness, tc map[string]string, poll int) (time.Duration, time.Duration) {
	n := max(150, 2*poll/20)
	topic := "bench-" + table
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
	go func() {
		defer close(loop)
		for !stop.Load() {
			if res := hs.invoke(tc); !res.More {
				time.Sleep(time.Duration(poll) * time.Millisecond)
			}
		}
	}()
	go func() {
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("lat-%d-%d", poll, i)
			if _, err := d.db.Exec("INSERT INTO " + table + " (name, n) VALUES ('" + name + "', 0)"); err != nil {
				panic(err)
			}
			sent.Store(name, time.Now())
			time.Sleep(20 * time.Millisecond)
		}
	}()
	var lat []time.Duration
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(3*poll)*time.Millisecond+30*time.Second)
	defer cancel()
	for len(lat) < n && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			now := time.Now()
			_, s, _ := strings.Cut(string(r.Value), `"payload":`)
			i := strings.Index(s, `"name":"`)
			if i < 0 {
				return
			}
			name, _, _ := strings.Cut(s[i+8:], `"`)
			if t0, ok := sent.Load(name); ok {
				lat = append(lat, now.Sub(t0.(time.Time)))
			}
		})
	}
	stop.Store(true)
	<-loop
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		return 0, 0
	}
	return lat[len(lat)/2], lat[len(lat)*99/100]
}

// firstValue returns the value bytes of the first record of topic.
func firstValue(b *testing.B, topic string) []byte {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(env(b, "KAFKA_BOOTSTRAP_SERVERS"), ",")...),
		kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if recs := cl.PollRecords(ctx, 1).Records(); len(recs) > 0 {
			return recs[0].Value
		}
	}
	b.Fatalf("no record in %s", topic)
	return nil
}
