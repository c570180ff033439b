//go:build integration

package wasm_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms"
	"github.com/ferryhq/ferry/transforms/wasm"
	"github.com/ferryhq/ferry/transforms/wasm/wasmtest"
)

func record(value string) *connectors.Record {
	return &connectors.Record{Topic: "t", Partition: 0, Offset: 7, Timestamp: connectors.NoTimestamp, Value: value,
		SourcePartition: map[string]any{"file": "f"}, SourceOffset: map[string]any{"position": int64(3)}}
}

// TestModuleFailuresAreRecordErrors: a module that traps, loops, exhausts its
// memory, panics, exits or returns what the ABI does not allow fails that
// record with an error naming the module and the cause; the next record, on
// the same transformation and predicate, goes through.
func TestModuleFailuresAreRecordErrors(t *testing.T) {
	props := map[string]string{"module": wasmtest.Misbehave(t), "timeout.ms": "300", "memory.max.mb": "8", "output.max.bytes": "1048576"}
	tf, err := wasm.New(props)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := wasm.NewPredicate(props)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		mode  string
		cause string
		data  bool
	}{
		{"trap", "trapped: wasm error: unreachable", false},
		{"loop", "ran past its time limit (timeout.ms=300) and was stopped", false},
		{"memory", "MiB of its limit (memory.max.mb=8); stderr: memory allocation of 1048576 bytes failed", false},
		{"panic", "panicked at src/lib.rs", false},
		{"exit", "exited with code 3", false},
		{"outside", "returned malformed output: returned 100 bytes at address 2147418112, outside its memory", false},
		{"huge", "returned malformed output: returned 2097152 bytes, over output.max.bytes=1048576", false},
		{"refuse", "failed the record: this record is refused", true},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			start := time.Now()
			_, terr := tf.Apply(record(c.mode))
			_, perr := pr.TestRecord(record(c.mode))
			for _, err := range []error{terr, perr} {
				checkRecordError(t, err, c.cause, c.data)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("the two failures took %v", d)
			}
			out, err := tf.Apply(record("fine"))
			if err != nil || out.Value != "fine" || out.SourceOffset["position"] != int64(3) || out.Offset != 7 {
				t.Fatalf("the record after a %s: %+v, %v", c.mode, out, err)
			}
			if ok, err := pr.TestRecord(record("fine")); !ok || err != nil {
				t.Fatalf("the predicate after a %s: %v, %v", c.mode, ok, err)
			}
		})
	}
	for _, c := range []struct{ mode, cause string }{
		{"garbage", `returned malformed output (not a record line: not a record line: invalid character 'h' in literal true (expecting 'r')): "this is not JSON"`},
		{"notarecord", "returned malformed output (not a record line"},
		{"nothing", "returned malformed output (no output"},
	} {
		t.Run(c.mode, func(t *testing.T) {
			_, err := tf.Apply(record(c.mode))
			checkRecordError(t, err, c.cause, false)
		})
	}
}

func checkRecordError(t *testing.T, err error, cause string, data bool) {
	t.Helper()
	var re *wasm.RecordError
	if !errors.As(err, &re) || !errors.Is(err, wasm.ErrModule) {
		t.Fatalf("want a *wasm.RecordError, got %v", err)
	}
	if !strings.HasPrefix(re.Module, "ferry_wasm_misbehave.wasm (sha256 ") || !strings.Contains(err.Error(), cause) {
		t.Errorf("error %q: want the module and %q", err, cause)
	}
	if errors.Is(err, connectors.ErrData) != data {
		t.Errorf("error %q: ErrData %v, want %v", err, !data, data)
	}
}

// TestModuleRefusedAtConfiguration: a module that is not WebAssembly, lacks
// the ABI's exports, or refuses its configuration fails the configuration,
// naming the key, the module and what is missing, before any record.
func TestModuleRefusedAtConfiguration(t *testing.T) {
	notWasm := filepath.Join(t.TempDir(), "notes.wasm")
	if err := os.WriteFile(notWasm, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	mask, filter, bad := wasmtest.GoModule(t, "mask"), wasmtest.GoModule(t, "filter"), wasmtest.Misbehave(t)
	cases := []struct {
		name      string
		predicate bool
		props     map[string]string
		want      string
	}{
		{"not wasm", false, map[string]string{"module": notWasm}, "notes.wasm (sha256 2cf24dba5fb0) is not a valid WebAssembly module"},
		{"missing file", false, map[string]string{"module": notWasm + ".gone"}, "cannot read the module"},
		{"predicate as transform", false, map[string]string{"module": filter, "config.field": "f"},
			"does not export ferry_transform: a transformation module exports ferry_alloc and ferry_transform"},
		{"transform as predicate", true, map[string]string{"module": mask, "config.fields": "f"},
			"does not export ferry_test: a predicate module exports ferry_alloc and ferry_test"},
		{"refused config", false, map[string]string{"module": mask}, "refused its configuration: config key fields is required"},
		{"wrong sha", false, map[string]string{"module": bad, "module.sha256": strings.Repeat("0", 64)}, "has SHA-256"},
		{"bad sha", false, map[string]string{"module": bad, "module.sha256": "xyz"}, "Must be 64 hexadecimal digits"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.predicate {
				_, err = wasm.NewPredicate(c.props)
			} else {
				_, err = wasm.New(c.props)
			}
			var ce *connectors.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want a ConfigError with %q", err, c.want)
			}
		})
	}
}

// TestPredicateFailureFailsTheRecord: in a chain, a WebAssembly predicate
// that fails fails the record at its stage (errors.tolerance decides),
// instead of counting as a miss that lets the record through untouched.
func TestPredicateFailureFailsTheRecord(t *testing.T) {
	chain, err := transforms.NewChain(map[string]string{
		"transforms": "drop", "transforms.drop.type": "Filter", "transforms.drop.predicate": "p",
		"predicates": "p", "predicates.p.type": wasm.PredicateClass, "predicates.p.module": wasmtest.Misbehave(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, stage, err := chain.Apply(record("trap"))
	if !errors.Is(err, wasm.ErrModule) || stage == nil || stage.Alias != "drop" {
		t.Fatalf("got %v at %+v", err, stage)
	}
	if out, _, err := chain.Apply(record("fine")); out != nil || err != nil {
		t.Fatalf("a matching record: %+v, %v (want dropped)", out, err)
	}
}
