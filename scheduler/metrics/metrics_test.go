package metrics

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
	"github.com/prometheus/common/expfmt"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// exposition scrapes s and keeps ferry's and Kafka Connect's families,
// less the store round trip (a measured time).
func exposition(t *testing.T, s *Set) string {
	t.Helper()
	fams, err := s.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, f := range fams {
		n := f.GetName()
		if (!strings.HasPrefix(n, "kafka_connect_") && !strings.HasPrefix(n, "ferry_")) || n == "ferry_store_round_trip_seconds" {
			continue
		}
		if _, err := expfmt.MetricFamilyToText(&b, f); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, got)
	}
}

// TestExposition pins the names, labels and values of every metric for a
// source task, a sink task with a dead-letter queue, and a failed dispatch.
func TestExposition(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	snap := Snapshot{Connectors: []Connector{
		{Name: "gen", Class: "io.confluent.kafka.connect.datagen.DatagenConnector", Type: "source", Version: "0.1.0", State: "RUNNING", Tasks: []string{"RUNNING"}},
		{Name: "out", Class: "org.apache.kafka.connect.file.FileStreamSinkConnector", Type: "sink", Version: "0.1.0", State: "RUNNING", Tasks: []string{"FAILED"}},
	}}
	s := New(Options{Now: clock, Status: func(context.Context) (Snapshot, error) { return snap, nil }})
	s.SetLeading(true)
	s.ConnectorStartup(true)
	s.ConnectorStartup(false)
	s.Observe(KindSource, wire.Result{Connector: "gen", Task: 0, State: wire.StateRunning, Read: 1000, Written: 990,
		Failed: 10, Committed: 1, Batches: 4, BatchTime: 40 * time.Millisecond, BatchTimeMax: 20 * time.Millisecond,
		BatchSizeMax: 400, CommitTime: 3 * time.Millisecond, Duration: 100 * time.Millisecond,
		Errors: wire.ErrorCounts{Failures: 12, Retries: 2, Skipped: 10, DLQRequests: 10, LastError: 1764936000000}}, nil, 110*time.Millisecond)
	now = now.Add(10 * time.Second)
	s.Observe(KindSink, wire.Result{Connector: "out", Task: 0, State: wire.StateRunning, Read: 500, Written: 500,
		Batches: 1, BatchTime: 5 * time.Millisecond, BatchTimeMax: 5 * time.Millisecond, BatchSizeMax: 500,
		CommitTime: 2 * time.Millisecond, Duration: 50 * time.Millisecond,
		PartitionLag: []wire.PartitionLag{{Topic: "t", Partition: 0, Lag: 7}, {Topic: "t", Partition: 1, Lag: 0}}}, nil, 52*time.Millisecond)
	s.Observe(KindSink, wire.Result{Connector: "out"}, errors.New("no worker"), time.Second)
	now = now.Add(20 * time.Second)
	golden(t, "exposition.golden", exposition(t, s))
}

// TestForget checks that a deleted connector's series are gone by the scrape after the one that sees the deletion
// and that a scheduler that does not lead exports only its leadership.
func TestForget(t *testing.T) {
	snap := Snapshot{Connectors: []Connector{{Name: "a", State: "RUNNING", Tasks: []string{"RUNNING"}}}}
	s := New(Options{Status: func(context.Context) (Snapshot, error) { return snap, nil }})
	s.SetLeading(true)
	s.Observe(KindSource, wire.Result{Connector: "a", State: wire.StateRunning, Read: 1}, nil, time.Millisecond)
	if got := exposition(t, s); !strings.Contains(got, `source_record_poll_total{connector="a",task="0"} 1`) {
		t.Fatalf("task metrics missing:\n%s", got)
	}
	snap.Connectors = nil
	exposition(t, s) // this scrape sees the deletion; histograms are collected alongside it
	if got := exposition(t, s); strings.Contains(got, `connector="a"`) {
		t.Fatalf("deleted connector still exported:\n%s", got)
	}
	s.SetLeading(false)
	if got := exposition(t, s); strings.TrimSpace(got) != "# HELP ferry_scheduler_leader 1 when this scheduler holds the dispatch lease and runs the tasks.\n# TYPE ferry_scheduler_leader gauge\nferry_scheduler_leader 0" {
		t.Fatalf("a standing-by scheduler exports:\n%s", got)
	}
}

// TestWindow checks the windowed statistics against Kafka's SampledStat rules.
func TestWindow(t *testing.T) {
	t0 := time.Unix(0, 0)
	tests := []struct {
		name          string
		at            []time.Duration
		vals          []float64
		now           time.Duration
		avg, max, rps float64
	}{
		{"empty", nil, nil, 0, 0, 0, 0},
		{"one window", []time.Duration{0, time.Second}, []float64{10, 30}, 2 * time.Second, 20, 30, 40.0 / 30},
		{"two windows", []time.Duration{0, 40 * time.Second}, []float64{10, 30}, 50 * time.Second, 20, 30, 40.0 / 50},
		{"expired", []time.Duration{0, 40 * time.Second}, []float64{10, 30}, 65 * time.Second, 30, 30, 30.0 / 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w window
			for i, at := range tt.at {
				w.record(t0.Add(at), tt.vals[i])
			}
			now := t0.Add(tt.now)
			if got := [3]float64{w.avg(now), w.max(now), w.rate(now)}; got != [3]float64{tt.avg, tt.max, tt.rps} {
				t.Errorf("avg, max, rate = %v, want %v", got, [3]float64{tt.avg, tt.max, tt.rps})
			}
		})
	}
}

// BenchmarkObserve measures what the metrics add per invocation on the
// scheduler: one Result folded into the per-task statistics and histograms.
func BenchmarkObserve(b *testing.B) {
	s := New(Options{})
	res := wire.Result{Connector: "c", Task: 0, State: wire.StateRunning, Read: 20000, Written: 20000, Batches: 200,
		BatchTime: time.Second, BatchTimeMax: 20 * time.Millisecond, BatchSizeMax: 100, CommitTime: time.Millisecond,
		Duration: 2 * time.Second, PartitionLag: []wire.PartitionLag{{Topic: "t", Lag: 0}}}
	b.ReportAllocs()
	for b.Loop() {
		s.Observe(KindSink, res, nil, 2*time.Second+time.Millisecond)
	}
}

// TestOwner checks that a scheduler sharing the connectors by shard exports
// the worker, connector and task metrics of its own connectors only.
func TestOwner(t *testing.T) {
	snap := Snapshot{Connectors: []Connector{
		{Name: "mine", State: "RUNNING", Tasks: []string{"RUNNING"}},
		{Name: "theirs", State: "RUNNING", Tasks: []string{"RUNNING"}},
	}}
	s := New(Options{Status: func(context.Context) (Snapshot, error) { return snap, nil }})
	s.SetLeading(true)
	s.Observe(KindSource, wire.Result{Connector: "mine", State: wire.StateRunning, Read: 1}, nil, time.Millisecond)
	s.Observe(KindSource, wire.Result{Connector: "theirs", State: wire.StateRunning, Read: 1}, nil, time.Millisecond)
	s.SetOwner(func(c string) bool { return c == "mine" })
	got := exposition(t, s)
	for _, want := range []string{`source_record_poll_total{connector="mine",task="0"} 1`, `kafka_connect_connector_status{connector="mine",status="running"} 1`,
		"kafka_connect_worker_connector_count 1"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s:\n%s", want, got)
		}
	}
	for _, not := range []string{`source_record_poll_total{connector="theirs"`, `kafka_connect_connector_status{connector="theirs"`} {
		if strings.Contains(got, not) {
			t.Errorf("exports another scheduler's %s:\n%s", not, got)
		}
	}
}
