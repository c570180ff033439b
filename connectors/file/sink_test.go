package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

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

// TestSinkAsksForSmallPuts: FileStreamSink states a put size below the
// runtime's default of 10,000 (connectors.PutSizer).
func TestSinkAsksForSmallPuts(t *testing.T) {
	var task connectors.SinkTask = NewSinkTask()
	ps, ok := task.(connectors.PutSizer)
	if !ok {
		t.Fatal("FileStreamSink's task is not a connectors.PutSizer")
	}
	if n := ps.PutSize(); n < 1 || n >= 10000 {
		t.Errorf("PutSize() = %d, want 1..9999", n)
	}
}
