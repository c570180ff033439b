package file

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// fakeOffsets is an in-memory OffsetReader keyed by file name.
type fakeOffsets map[string]map[string]any

func (o fakeOffsets) Offset(p map[string]any) map[string]any {
	name, _ := p[FilenameField].(string)
	return o[name]
}

func writeFile(t testing.TB, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// drain polls until an empty batch and returns lines and the final position.
func drain(t *testing.T, task *SourceTask) ([]string, int64) {
	t.Helper()
	var lines []string
	pos := int64(-1)
	for range 1000 {
		recs, err := task.Poll(context.Background())
		if err != nil {
			t.Fatalf("Poll: %v", err)
		}
		if len(recs) == 0 {
			return lines, pos
		}
		for _, r := range recs {
			lines = append(lines, r.Value.(string))
			pos = r.SourceOffset[PositionField].(int64)
		}
	}
	t.Fatal("Poll never returned an empty batch")
	return nil, 0
}

func TestSourceLines(t *testing.T) {
	tests := []struct {
		name    string
		content string
		offset  any
		batch   string
		want    []string
		wantPos int64
	}{
		{"lf", "a\nbb\nccc\n", nil, "", []string{"a", "bb", "ccc"}, 9},
		{"crlf", "a\r\nbb\r\n", nil, "", []string{"a", "bb"}, 7},
		{"cr alone", "a\rb\r\nc\n", nil, "", []string{"a", "b", "c"}, 7},
		{"empty lines", "\n\n", nil, "", []string{"", ""}, 2},
		{"partial last line", "a\nb", nil, "", []string{"a"}, 2},
		{"trailing cr waits", "a\nb\r", nil, "", []string{"a"}, 2},
		{"resume int64", "a\nbb\nccc\n", int64(2), "", []string{"bb", "ccc"}, 9},
		{"resume float64", "a\nbb\nccc\n", float64(5), "", []string{"ccc"}, 9},
		{"resume json.Number", "a\nbb\nccc\n", json.Number("5"), "", []string{"ccc"}, 9},
		{"resume at end", "a\n", int64(2), "", nil, -1},
		{"truncated restarts", "a\n", int64(100), "", []string{"a"}, 2},
		{"batch of one", "a\nb\nc\n", nil, "1", []string{"a", "b", "c"}, 6},
		{"utf8", "é\nü\n", nil, "", []string{"é", "ü"}, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.content)
			props := map[string]string{"file": path, "topic": "t"}
			if tc.batch != "" {
				props["batch.size"] = tc.batch
			}
			offs := fakeOffsets{}
			if tc.offset != nil {
				offs[path] = map[string]any{PositionField: tc.offset}
			}
			task := NewSourceTask()
			if err := task.Open(context.Background(), props, offs); err != nil {
				t.Fatal(err)
			}
			defer task.Close()
			got, pos := drain(t, task)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("lines = %q, want %q", got, tc.want)
			}
			if pos != tc.wantPos {
				t.Errorf("position = %d, want %d", pos, tc.wantPos)
			}
		})
	}
}

func TestSourceRecordShape(t *testing.T) {
	path := writeFile(t, "hello\n")
	task := NewSourceTask()
	if err := task.Open(context.Background(), map[string]string{"file": path, "topic": "lines"}, nil); err != nil {
		t.Fatal(err)
	}
	defer task.Close()
	recs, err := task.Poll(context.Background())
	if err != nil || len(recs) != 1 {
		t.Fatalf("Poll = %d records, %v", len(recs), err)
	}
	r := recs[0]
	if r.Topic != "lines" || r.Key != nil || r.KeySchema != nil || r.ValueSchema != connectors.StringSchema || r.Value != "hello" {
		t.Errorf("record = %+v", r)
	}
	if r.SourcePartition[FilenameField] != path || r.SourceOffset[PositionField] != int64(6) {
		t.Errorf("partition %v offset %v", r.SourcePartition, r.SourceOffset)
	}
	if r.Partition != connectors.NoPartition || r.Timestamp <= 0 {
		t.Errorf("partition %d timestamp %d", r.Partition, r.Timestamp)
	}
}

// TestSourceGrowingFile checks that a line completed after a Poll is read by
// the next Poll of the same task and by a new task resuming from its offset.
func TestSourceGrowingFile(t *testing.T) {
	path := writeFile(t, "a\npar")
	task := NewSourceTask()
	props := map[string]string{"file": path, "topic": "t"}
	if err := task.Open(context.Background(), props, nil); err != nil {
		t.Fatal(err)
	}
	defer task.Close()
	got, pos := drain(t, task)
	if len(got) != 1 || pos != 2 {
		t.Fatalf("first = %q at %d", got, pos)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("tial\nnext\n")
	f.Close()
	got, pos = drain(t, task)
	if strings.Join(got, "|") != "partial|next" || pos != 15 {
		t.Fatalf("second = %q at %d", got, pos)
	}
	again := NewSourceTask()
	if err := again.Open(context.Background(), props, fakeOffsets{path: {PositionField: int64(10)}}); err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got, _ := drain(t, again); strings.Join(got, "|") != "next" {
		t.Fatalf("resumed = %q", got)
	}
}

func TestSourceLongLineGrowsBuffer(t *testing.T) {
	long := strings.Repeat("x", readBufferSize*2+7)
	path := writeFile(t, "a\n"+long+"\nb\n")
	task := NewSourceTask()
	if err := task.Open(context.Background(), map[string]string{"file": path, "topic": "t"}, nil); err != nil {
		t.Fatal(err)
	}
	defer task.Close()
	got, _ := drain(t, task)
	if len(got) != 3 || got[1] != long || got[2] != "b" {
		t.Fatalf("got %d lines", len(got))
	}
}

func TestSourceMissingFileIsEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "later.txt")
	task := NewSourceTask()
	if err := task.Open(context.Background(), map[string]string{"file": path, "topic": "t"}, nil); err != nil {
		t.Fatal(err)
	}
	if recs, err := task.Poll(context.Background()); err != nil || len(recs) != 0 {
		t.Fatalf("Poll = %d, %v", len(recs), err)
	}
	os.WriteFile(path, []byte("now\n"), 0o644)
	if got, _ := drain(t, task); len(got) != 1 || got[0] != "now" {
		t.Fatalf("got %q", got)
	}
	task.Close()
}

func TestSourceConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]string
		key   string
	}{
		{"no file", map[string]string{"topic": "t"}, "file"},
		{"no topic", map[string]string{"file": "/tmp/x"}, "topic"},
		{"two topics", map[string]string{"file": "/tmp/x", "topic": "a,b"}, "topic"},
		{"bad batch", map[string]string{"file": "/tmp/x", "topic": "t", "batch.size": "0"}, "batch.size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SourceConnector{}.TaskConfigs(context.Background(), tc.props, 3)
			var ce *connectors.ConfigError
			if !errors.As(err, &ce) || ce.Key != tc.key || !errors.Is(err, connectors.ErrConfig) {
				t.Fatalf("err = %v, want ConfigError on %s", err, tc.key)
			}
			if err := NewSourceTask().Open(context.Background(), tc.props, nil); !errors.Is(err, connectors.ErrConfig) {
				t.Fatalf("Open err = %v", err)
			}
		})
	}
}

func TestSourceBadOffset(t *testing.T) {
	path := writeFile(t, "a\n")
	err := NewSourceTask().Open(context.Background(), map[string]string{"file": path, "topic": "t"},
		fakeOffsets{path: {PositionField: "zero"}})
	if !errors.Is(err, ErrOffset) {
		t.Fatalf("err = %v, want ErrOffset", err)
	}
}

func TestConnectorTaskConfigs(t *testing.T) {
	props := map[string]string{"file": "/tmp/x", "topic": "t", "topics": "t"}
	src, err := SourceConnector{}.TaskConfigs(context.Background(), props, 5)
	if err != nil || len(src) != 1 || src[0]["file"] != "/tmp/x" {
		t.Fatalf("source = %v, %v", src, err)
	}
	sink, err := SinkConnector{}.TaskConfigs(context.Background(), props, 3)
	if err != nil || len(sink) != 3 {
		t.Fatalf("sink = %v, %v", sink, err)
	}
	sink[0]["file"] = "changed"
	if sink[1]["file"] != "/tmp/x" || props["file"] != "/tmp/x" {
		t.Fatal("task configs share a map")
	}
}

func BenchmarkFileSourcePoll(b *testing.B) {
	var sb strings.Builder
	const lines = 200_000
	for i := range lines {
		sb.WriteString("2024-01-01T00:00:00Z INFO request handled path=/api/v1/items/")
		sb.WriteString(strings.Repeat("x", i%16))
		sb.WriteByte('\n')
	}
	path := writeFile(b, sb.String())
	props := map[string]string{"file": path, "topic": "t"}
	b.SetBytes(int64(sb.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	total := 0
	for b.Loop() {
		task := NewSourceTask()
		if err := task.Open(context.Background(), props, nil); err != nil {
			b.Fatal(err)
		}
		for {
			recs, err := task.Poll(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if len(recs) == 0 {
				break
			}
			total += len(recs)
		}
		task.Close()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
}
