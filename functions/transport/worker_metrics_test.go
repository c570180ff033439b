package transport

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// invokerFunc is an Invoker from a function.
type invokerFunc func(context.Context, wire.Invocation) (wire.Result, error)

func (f invokerFunc) Handle(ctx context.Context, inv wire.Invocation) (wire.Result, error) {
	return f(ctx, inv)
}

// workerExposition scrapes reg's ferry_function_ families, with each
// histogram's measured _sum blanked.
func workerExposition(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, f := range fams {
		if strings.HasPrefix(f.GetName(), "ferry_function_") {
			if _, err := expfmt.MetricFamilyToText(&b, f); err != nil {
				t.Fatal(err)
			}
		}
	}
	return regexp.MustCompile(`(?m)^(\S+_sum\{[^}]*\}) \S+$`).ReplaceAllString(b.String(), "$1 <measured>")
}

// TestWorkerMetricsExposition pins names, labels and values of the worker
// metrics for two connectors' invocations (each returns at once, so every
// duration falls in the first bucket).
func TestWorkerMetricsExposition(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewWorkerMetrics(reg)
	inv := m.Wrap(invokerFunc(func(_ context.Context, inv wire.Invocation) (wire.Result, error) {
		if inv.Connector == "b" {
			return wire.Result{State: wire.StateRetrying}, nil
		}
		return wire.Result{State: wire.StateRunning, Read: 10, Written: 9, Failed: 1}, nil
	}))
	for _, c := range []string{"a", "a", "b"} {
		if _, err := inv.Handle(context.Background(), wire.Invocation{Connector: c}); err != nil {
			t.Fatal(err)
		}
	}
	got := workerExposition(t, reg)
	path := filepath.Join("testdata", "worker_metrics.golden")
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

// TestWorkerMetricsForgetIdle checks that a connector with no invocation
// here for workerMetricsIdle leaves no series.
func TestWorkerMetricsForgetIdle(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewWorkerMetrics(reg)
	now := time.Unix(1_000_000, 0)
	m.now = func() time.Time { return now }
	m.observe("old", wire.Result{State: wire.StateRunning}, time.Millisecond)
	now = now.Add(workerMetricsIdle / 2)
	m.observe("new", wire.Result{State: wire.StateRunning}, time.Millisecond)
	if got := workerExposition(t, reg); !strings.Contains(got, `connector="old"`) || !strings.Contains(got, `connector="new"`) {
		t.Fatalf("both connectors should be exported:\n%s", got)
	}
	now = now.Add(workerMetricsIdle/2 + time.Second)
	got := workerExposition(t, reg)
	if strings.Contains(got, `connector="old"`) || !strings.Contains(got, `connector="new"`) {
		t.Fatalf("want only the connector seen within the hour:\n%s", got)
	}
}
