package examplesink

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

func TestTaskConfigs(t *testing.T) {
	cases := []struct {
		name     string
		props    map[string]string
		maxTasks int
		want     int
		wantErr  string
	}{
		{"three tasks", map[string]string{"directory": "/tmp/x"}, 3, 3, ""},
		{"at least one", map[string]string{"directory": "/tmp/x"}, 0, 1, ""},
		{"directory missing", map[string]string{}, 1, 0, `Missing required configuration "directory"`},
		{"extension with a separator", map[string]string{"directory": "/tmp/x", "file.extension": "a/b"}, 1, 0, "file.extension: must not contain a path separator"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Connector{}.TaskConfigs(context.Background(), c.props, c.maxTasks)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil || len(got) != c.want {
				t.Fatalf("got %d task configs, err %v; want %d", len(got), err, c.want)
			}
		})
	}
}

func TestPutFlush(t *testing.T) {
	rec := func(offset int64, value any) *connectors.Record {
		return &connectors.Record{Topic: "orders", Partition: 2, Offset: offset, Value: value}
	}
	cases := []struct {
		name      string
		records   []*connectors.Record
		wantFiles map[string]string
		rejected  []int64
	}{
		{"text and bytes", []*connectors.Record{rec(7, "a"), rec(8, []byte("b"))},
			map[string]string{"orders+2+7.txt": "a", "orders+2+8.txt": "b"}, nil},
		{"a struct is rejected, the rest written", []*connectors.Record{rec(1, "a"), rec(2, map[string]any{"k": 1}), rec(3, "c")},
			map[string]string{"orders+2+1.txt": "a", "orders+2+3.txt": "c"}, []int64{2}},
		{"rewriting a record keeps one file", []*connectors.Record{rec(5, "x"), rec(5, "x")},
			map[string]string{"orders+2+5.txt": "x"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			task := Plugin().NewSink()
			ctx := context.Background()
			if err := task.Open(ctx, map[string]string{"directory": dir}); err != nil {
				t.Fatal(err)
			}
			err := task.Put(ctx, c.records)
			var rej *connectors.RejectedError
			switch {
			case len(c.rejected) == 0 && err != nil:
				t.Fatalf("Put: %v", err)
			case len(c.rejected) > 0 && !errors.As(err, &rej):
				t.Fatalf("Put = %v, want a *RejectedError", err)
			}
			if rej != nil && len(rej.Rejected) != len(c.rejected) {
				t.Fatalf("%d records rejected, want %d", len(rej.Rejected), len(c.rejected))
			}
			for i, r := range rejectedOf(rej) {
				if r.Record.Offset != c.rejected[i] || !errors.Is(r.Err, ErrValueType) {
					t.Errorf("rejected[%d] = offset %d (%v), want offset %d with ErrValueType", i, r.Record.Offset, r.Err, c.rejected[i])
				}
			}
			if err := task.Flush(ctx); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != len(c.wantFiles) {
				t.Errorf("%d files, want %d", len(entries), len(c.wantFiles))
			}
			for name, want := range c.wantFiles {
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil || string(got) != want {
					t.Errorf("%s = %q (%v), want %q", name, got, err, want)
				}
			}
		})
	}
}

// rejectedOf returns the records of e, none when e is nil.
func rejectedOf(e *connectors.RejectedError) []connectors.RejectedRecord {
	if e == nil {
		return nil
	}
	return e.Rejected
}
