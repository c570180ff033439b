package wire

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The golden files are the wire contract across a rolling upgrade: a
// scheduler and a function of different versions must keep reading each
// other's JSON. A failing case means the encoding changed; if the change is
// meant to be compatible (a new omitempty field), rerun with -update and say so
// in the change.
func TestGolden(t *testing.T) {
	deadline := time.Date(2026, 12, 5, 11, 30, 0, 123456789, time.UTC)
	cases := []struct {
		file string
		v    any
		into any
	}{
		{"invocation.json", Invocation{ID: "orders-0-42", Connector: "orders", Task: 0, Epoch: 42,
			Class:    "io.confluent.connect.jdbc.JdbcSourceConnector",
			Config:   map[string]string{"connection.password": "${file:/etc/ferry/db.properties:password}", "tasks.max": "2"},
			Deadline: deadline, MaxRecords: 5000, TaskCount: 2}, &Invocation{}},
		{"invocation_traced.json", Invocation{ID: "x-1-2", Connector: "x", Task: 1, Epoch: 2, Class: "FileStreamSource",
			Config: map[string]string{}, TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", TraceState: "ferry=1"}, &Invocation{}},
		{"invocation_minimal.json", Invocation{ID: "x-1-1", Connector: "x", Task: 1, Epoch: 1,
			Class: "FileStreamSource", Config: map[string]string{}}, &Invocation{}},
		{"result.json", Result{ID: "orders-0-42", Connector: "orders", Task: 0, Epoch: 42,
			Read: 100, Written: 98, Failed: 2, Committed: 1, Lag: 7, More: true, State: StateRunning,
			Topics: []string{"orders"}, Duration: 1500 * time.Millisecond, InstanceID: "host:123"}, &Result{}},
		{"result_metrics.json", Result{ID: "orders-0-44", Connector: "orders", Epoch: 44, State: StateRunning,
			Read: 10, Written: 8, Failed: 2, Committed: 2, Lag: 5, Duration: time.Second, InstanceID: "host:123",
			Batches: 2, BatchTime: 30 * time.Millisecond, BatchTimeMax: 20 * time.Millisecond, BatchSizeMax: 6,
			CommitTime: 4 * time.Millisecond, CommitFailed: false,
			Errors:       ErrorCounts{Failures: 3, Retries: 1, Skipped: 2, Logged: 2, DLQRequests: 2, LastError: 1764934200000},
			PartitionLag: []PartitionLag{{Topic: "orders", Partition: 0, Lag: 5}, {Topic: "orders", Partition: 1, Lag: 0}}}, &Result{}},
		{"result_retrying.json", Result{ID: "orders-0-45", Connector: "orders", Epoch: 45, State: StateRetrying,
			Trace: "schema registry unavailable", InstanceID: "host:123", RetryingSince: deadline.Add(-time.Minute)}, &Result{}},
		{"invocation_retrying.json", Invocation{ID: "orders-0-46", Connector: "orders", Epoch: 46, Class: "FileStreamSink",
			Config: map[string]string{}, Deadline: deadline, RetryingSince: deadline.Add(-time.Minute)}, &Invocation{}},
		{"result_overran.json", Result{ID: "orders-0-47", Connector: "orders", Epoch: 47, State: StateFenced, Read: 5000,
			Trace: "invocation deadline passed", InstanceID: "host:123", Overran: true}, &Result{}},
		{"result_failed.json", Result{ID: "orders-0-43", Connector: "orders", Epoch: 43, State: StateFailed,
			Trace: "invalid invocation: unknown class", InstanceID: "host:123"}, &Result{}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			got, err := json.MarshalIndent(c.v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", c.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("encoding of %T changed: the other side of a rolling upgrade may not read it\ngot:\n%s\nwant:\n%s", c.v, got, want)
			}
			if err := json.Unmarshal(want, c.into); err != nil {
				t.Fatalf("decoding the golden %s: %v", c.file, err)
			}
			if back := reflect.ValueOf(c.into).Elem().Interface(); !reflect.DeepEqual(back, c.v) {
				t.Errorf("golden %s decodes to %+v, want %+v", c.file, back, c.v)
			}
		})
	}
}
