package file

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/state"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fill writes one of everything into s.
func fill(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	steps := []error{
		s.PutConnector(ctx, state.ConnectorRecord{
			Name:       "my-conn",
			Config:     map[string]string{"connector.class": "FileStreamSource", "file": "/tmp/a.txt", "topic": "t"},
			Target:     state.TargetPaused,
			Tasks:      []map[string]string{{"file": "/tmp/a.txt", "topic": "t"}},
			Generation: 3,
		}),
		s.PutTaskStatus(ctx, state.TaskStatus{
			Connector: "my-conn", Task: 0, State: state.StateRunning, WorkerID: "worker-1",
			Epoch: 2, Updated: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
		}),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 2; i++ {
		if _, err := s.NextEpoch(ctx, "my-conn", 0); err != nil {
			t.Fatal(err)
		}
	}
	err := s.CommitOffsets(ctx, "my-conn", 0, 2, []state.OffsetEntry{
		{Partition: map[string]any{"filename": "/tmp/a.txt"}, Offset: map[string]any{"position": int64(42)}},
		{Partition: map[string]any{"filename": "/tmp/<b>&.txt"}, Offset: map[string]any{"position": int64(7)}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSurvivesRestart writes, closes, reopens and reads everything back.
func TestSurvivesRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "state")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, s)
	ctx := context.Background()
	wantConns, _ := s.Connectors(ctx)
	wantStatuses, _ := s.TaskStatuses(ctx, "my-conn")
	wantOffsets, _ := s.ReadOffsets(ctx, "my-conn")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Connectors(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("use after Close: %v, want ErrClosed", err)
	}

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conns, _ := s.Connectors(ctx)
	statuses, _ := s.TaskStatuses(ctx, "my-conn")
	offsets, _ := s.ReadOffsets(ctx, "my-conn")
	if !reflect.DeepEqual(conns, wantConns) || !reflect.DeepEqual(offsets, wantOffsets) {
		t.Fatalf("after reopen: %+v %+v, want %+v %+v", conns, offsets, wantConns, wantOffsets)
	}
	if len(statuses) != 1 || !statuses[0].Updated.Equal(wantStatuses[0].Updated) || statuses[0].State != state.StateRunning {
		t.Fatalf("statuses after reopen = %+v, want %+v", statuses, wantStatuses)
	}
	if err := s.CheckEpoch(ctx, "my-conn", 0, 2); err != nil {
		t.Fatalf("epoch lost on restart: %v", err)
	}
	if e, err := s.NextEpoch(ctx, "my-conn", 0); err != nil || e != 3 {
		t.Fatalf("NextEpoch after reopen = %d, %v; want 3", e, err)
	}
}

// TestGoldenFiles pins the on-disk format of every state file.
func TestGoldenFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, s)
	s.Close()
	for _, name := range []string{connectorsFile, statusesFile, epochsFile, offsetsFile} {
		t.Run(name, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Fatalf("%s:\n%s\nwant:\n%s", name, got, want)
			}
		})
	}
}

func TestLockedByAnotherOpen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "state directory "+dir+" is in use by another ferry process") {
		t.Fatalf("second Open = %v, want ErrLocked naming %s", err, dir)
	}
	s.Close()
	s, err = Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s.Close()
}

func TestCorruptFile(t *testing.T) {
	tests := []struct{ file, content string }{
		{connectorsFile, "{not json"},
		{statusesFile, "[1,2]"},
		{epochsFile, `{"a":{"x":1}}`},
		{offsetsFile, `{"k": }`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir)
			if err == nil || !strings.Contains(err.Error(), "is corrupt") || !strings.Contains(err.Error(), tt.file) {
				t.Fatalf("Open = %v, want a corrupt-file error naming %s", err, tt.file)
			}
			// The lock was released: fixing the file lets Open succeed.
			os.Remove(filepath.Join(dir, tt.file))
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
		})
	}
}

// TestFailedWriteKeepsMemoryDurable: when a change cannot be written the
// change is reported and forgotten, so memory never runs ahead of disk, and
// later changes are refused until the store is reopened (the log may end in
// a torn line); reopening recovers every acknowledged change.
func TestFailedWriteKeepsMemoryDurable(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.NextEpoch(ctx, "c", 0); err != nil {
		t.Fatal(err)
	}
	s.logs[epochsFile].f.Close() // writes to the epochs log now fail
	if _, err := s.NextEpoch(ctx, "c", 0); err == nil {
		t.Fatal("NextEpoch succeeded although its log could not be written")
	}
	if err := s.CheckEpoch(ctx, "c", 0, 1); err != nil {
		t.Fatalf("epoch after failed write: %v, want 1 still current", err)
	}
	if err := s.PutConnector(ctx, state.ConnectorRecord{Name: "x"}); err == nil || !strings.Contains(err.Error(), "restart it") {
		t.Fatalf("change after a failed write = %v, want a refusal saying to restart", err)
	}
	s.Close()
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if e, err := s.NextEpoch(ctx, "c", 0); err != nil || e != 2 {
		t.Fatalf("NextEpoch after reopen = %d, %v; want 2", e, err)
	}
}
