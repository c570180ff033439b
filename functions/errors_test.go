package functions

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert"
	cjson "github.com/ferryhq/ferry/transforms/convert/json"
	"github.com/twmb/franz-go/pkg/kgo"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func testPolicy(timeout, delayMax time.Duration, budget time.Time) (*errorPolicy, *[]time.Duration) {
	var slept []time.Duration
	return &errorPolicy{task: "c-0", retryTimeout: timeout, delayMax: delayMax, budget: budget,
		sleep:  func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
		jitter: func(n time.Duration) time.Duration { return n / 2 }}, &slept
}

func TestBackoff(t *testing.T) {
	now := time.Unix(1000, 0)
	far := now.Add(time.Hour)
	for _, tc := range []struct {
		name     string
		attempt  int
		delayMax time.Duration
		deadline time.Time
		want     time.Duration
	}{
		{"first", 1, time.Minute, far, 300 * time.Millisecond},
		{"second doubles", 2, time.Minute, far, 600 * time.Millisecond},
		{"eighth", 8, time.Minute, far, 38400 * time.Millisecond},
		{"above max is random in [0,max)", 9, time.Minute, far, 30 * time.Second},
		{"huge attempt", 80, time.Minute, far, 30 * time.Second},
		{"max 0 never waits", 3, 0, far, 0},
		{"clamped to the deadline", 3, time.Minute, now.Add(100 * time.Millisecond), 100 * time.Millisecond},
		{"deadline passed", 1, time.Minute, now.Add(-time.Second), 0},
	} {
		p, _ := testPolicy(time.Hour, tc.delayMax, far)
		if got := p.backoff(tc.attempt, now, tc.deadline); got != tc.want {
			t.Errorf("%s: backoff(%d) = %s, want %s", tc.name, tc.attempt, got, tc.want)
		}
	}
}

func TestRetry(t *testing.T) {
	transient := connectors.Retriable(errors.New("unavailable"))
	permanent := errors.New("bad record")
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		errs    []error
		calls   int
		slept   []time.Duration
		wantErr error
	}{
		{"succeeds after two retriable failures", time.Hour, []error{transient, transient, nil}, 3, []time.Duration{300 * time.Millisecond, 600 * time.Millisecond}, nil},
		{"no retries with timeout 0", 0, []error{transient, nil}, 1, nil, transient},
		{"permanent failure is not retried", time.Hour, []error{permanent, nil}, 1, nil, permanent},
		{"forever is bounded by the budget", -1, []error{transient, transient, transient, nil}, 4, []time.Duration{300 * time.Millisecond, 600 * time.Millisecond, 1200 * time.Millisecond}, nil},
		{"state store outage is retriable", time.Hour, []error{retriable("x"), nil}, 2, []time.Duration{300 * time.Millisecond}, nil},
	} {
		p, slept := testPolicy(tc.timeout, time.Minute, time.Now().Add(time.Hour))
		calls := 0
		err := p.retry(context.Background(), func() error { calls++; return tc.errs[calls-1] })
		if calls != tc.calls || !errors.Is(err, tc.wantErr) || fmt.Sprint(*slept) != fmt.Sprint(tc.slept) {
			t.Errorf("%s: calls=%d err=%v slept=%v; want calls=%d err=%v slept=%v", tc.name, calls, err, *slept, tc.calls, tc.wantErr, tc.slept)
		}
	}
}

func TestTolerate(t *testing.T) {
	data := connectors.DataError("bad")
	for _, tc := range []struct {
		stage    string
		err      error
		rejected bool
		all      bool
		want     string // "" = skipped
	}{
		{StageValueConverter, data, false, true, ""},
		{StageValueConverter, data, false, false, "Tolerance exceeded in error handler"},
		{StageTransformation, errors.New("x"), false, true, ""},
		{StageHeaderConverter, data, false, false, "Tolerance exceeded"},
		{StageTaskPut, errors.New("disk full"), false, true, "Unhandled exception in error handler"},
		{StageTaskPut, errors.New("refused"), true, true, ""},
		{StageTaskPut, connectors.Retriable(errors.New("down")), false, true, ""},
		{StageKafkaProduce, errors.New("too large"), true, false, "Tolerance exceeded"},
	} {
		p, _ := testPolicy(0, time.Minute, time.Now())
		p.tolerateAll = tc.all
		err := p.tolerate(&RecordError{Stage: tc.stage, Class: "c", Where: "w", Err: tc.err, rejected: tc.rejected})
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s all=%v rejected=%v: got %v, want %q", tc.stage, tc.all, tc.rejected, err, tc.want)
		}
	}
}

// TestDeadLetterGolden pins the dead-letter records (bytes and headers) of a
// consumed record and of a source record (ferry extension).
func TestDeadLetterGolden(t *testing.T) {
	js, err := cjson.New(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	convs := convert.Set{Key: js, Value: js}
	d := &deadLetters{topic: "dlq", headers: true, connector: "orders-sink", task: 3}
	consumed := &kgo.Record{Topic: "orders", Partition: 2, Offset: 41, Key: []byte("k1"), Value: []byte(`{"schema":`),
		Timestamp: time.UnixMilli(1700000000000), Headers: []kgo.RecordHeader{{Key: "trace-id", Value: []byte("abc")}}}
	d.add(t.Context(), &RecordError{Stage: StageValueConverter, Class: "org.apache.kafka.connect.json.JsonConverter",
		Err: connectors.DataError("Converting byte[] to Kafka Connect data failed due to serialization error: unexpected end")}, origin{consumed: consumed}, convs)
	src := &connectors.Record{Topic: "orders", ValueSchema: connectors.Int64Schema, Value: "not a number",
		SourcePartition: map[string]any{"table": "orders"}, SourceOffset: map[string]any{"id": int64(7)}, Timestamp: 1700000000001}
	d.add(t.Context(), &RecordError{Stage: StageValueConverter, Class: "org.apache.kafka.connect.json.JsonConverter",
		Err: connectors.DataError("Invalid Java object for schema type INT64")}, origin{source: src}, convs)
	var b strings.Builder
	for _, r := range d.records {
		fmt.Fprintf(&b, "topic=%s timestamp=%d\nkey=%q\nvalue=%q\n", r.Topic, r.Timestamp.UnixMilli(), r.Key, r.Value)
		for _, h := range r.Headers {
			fmt.Fprintf(&b, "header %s=%q\n", h.Key, h.Value)
		}
		b.WriteString("\n")
	}
	golden(t, "dlq.golden", b.String())
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
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

// TestErrorCounts checks the counts behind Kafka Connect's task-error-metrics:
// every failed attempt is a failure, a retried one also a retry, a record
// tolerated under errors.tolerance=all is skipped, and errors.log.enable logs it.
func TestErrorCounts(t *testing.T) {
	transient := connectors.Retriable(errors.New("unavailable"))
	bad := connectors.DataError("bad")
	for _, tc := range []struct {
		name     string
		errs     []error // returned by the operation's attempts
		all, log bool
		want     ErrorCounts
	}{
		{"success", []error{nil}, false, false, ErrorCounts{}},
		{"two retries then success", []error{transient, transient, nil}, false, false, ErrorCounts{Failures: 2, Retries: 2}},
		{"failure skipped", []error{bad}, true, false, ErrorCounts{Failures: 1, Skipped: 1}},
		{"retry, failure skipped and logged", []error{transient, bad}, true, true, ErrorCounts{Failures: 2, Retries: 1, Skipped: 1, Logged: 1}},
		{"failure not tolerated", []error{bad}, false, true, ErrorCounts{Failures: 1, Logged: 1}},
	} {
		p, _ := testPolicy(time.Hour, time.Minute, time.Now().Add(time.Hour))
		p.tolerateAll, p.logEnable, p.log = tc.all, tc.log, slog.New(slog.DiscardHandler)
		calls := 0
		if err := p.retry(context.Background(), func() error { calls++; return tc.errs[calls-1] }); err != nil {
			re := &RecordError{Stage: StageValueConverter, Class: "c", Where: "w", Err: err}
			p.report(re)
			_ = p.tolerate(re)
		}
		got := *p.tally()
		if tc.want.Failures > 0 && got.LastError == 0 {
			t.Errorf("%s: last error time not set", tc.name)
		}
		got.LastError = 0
		if got != tc.want {
			t.Errorf("%s: counts %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
