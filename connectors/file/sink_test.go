package file

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

func TestSinkWritesAndAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.txt")
	os.WriteFile(path, []byte("existing\n"), 0o644)
	schema := connectors.StructBuilder().Field("a", connectors.Int32Schema).Field("b", connectors.OptionalStringSchema).MustBuild()
	st := connectors.NewStruct(schema).MustPut("a", int32(1)).MustPut("b", "x")
	values := []any{"line", nil, int64(42), true, 1.5, st}
	recs := make([]*connectors.Record, len(values))
	for i, v := range values {
		recs[i] = &connectors.Record{Topic: "t", Value: v}
	}
	task := NewSinkTask()
	if err := task.Open(context.Background(), map[string]string{"file": path, "topics": "t"}); err != nil {
		t.Fatal(err)
	}
	if err := task.Put(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	if err := task.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "existing\nline\nnull\n42\ntrue\n1.5\nStruct{a=1,b=x}\n"
	if string(got) != want {
		t.Fatalf("file = %q, want %q", got, want)
	}
	if err := task.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSinkRequiresFile(t *testing.T) {
	if err := NewSinkTask().Open(context.Background(), map[string]string{"topics": "t"}); !errors.Is(err, connectors.ErrConfig) {
		t.Fatalf("err = %v", err)
	}
	if _, err := (SinkConnector{}).TaskConfigs(context.Background(), map[string]string{"topics": "t"}, 1); !errors.Is(err, connectors.ErrConfig) {
		t.Fatalf("err = %v", err)
	}
}

func TestSinkOpenFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "out.txt")
	if err := NewSinkTask().Open(context.Background(), map[string]string{"file": path}); !errors.Is(err, ErrIO) {
		t.Fatalf("err = %v, want ErrIO", err)
	}
}

func TestAppendJava(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, "null"},
		{"s", "s"},
		{int8(-3), "-3"},
		{int16(300), "300"},
		{int32(7), "7"},
		{int64(1) << 40, "1099511627776"},
		{false, "false"},
		{1.0, "1.0"},
		{0.001, "0.001"},
		{0.0001, "1.0E-4"},
		{1e7, "1.0E7"},
		{1234567.0, "1234567.0"},
		{1.25e-10, "1.25E-10"},
		{-2.5e21, "-2.5E21"},
		{float32(0.1), "0.1"},
		{math.NaN(), "NaN"},
		{math.Inf(-1), "-Infinity"},
		{math.Copysign(0, -1), "-0.0"},
		{[]any{int32(1), "a", nil}, "[1, a, null]"},
		{map[string]any{"b": int32(2), "a": "x"}, "{a=x, b=2}"},
		{connectors.MapEntries{{Key: int32(1), Value: true}}, "{1=true}"},
		{time.UnixMilli(0), "Thu Jan 01 00:00:00 UTC 1970"},
		{[]byte("raw"), "raw"},
	}
	for _, tc := range tests {
		if got := string(appendJava(nil, tc.in)); got != tc.want {
			t.Errorf("appendJava(%#v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
