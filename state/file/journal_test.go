package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/state"
)

// crash drops s as a killed process would: logs closed as they are, no
// compaction, lock released.
func crash(t *testing.T, s *Store) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.logs {
		j.f.Close()
	}
	s.closed = true
	unlockDir(s.lock)
}

// snapshotOf reads everything a test compares after a reopen.
func snapshotOf(t *testing.T, s *Store) []any {
	t.Helper()
	ctx := context.Background()
	conns, err1 := s.Connectors(ctx)
	statuses, err2 := s.TaskStatuses(ctx, "my-conn")
	offsets, err3 := s.ReadOffsets(ctx, "my-conn")
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range statuses {
		statuses[i].Updated = statuses[i].Updated.UTC()
	}
	return []any{conns, statuses, offsets, s.epochs}
}

// TestLogReplayedAfterCrash: every acknowledged change is in the change logs
// when the process dies without Close, and a reopen replays them.
func TestLogReplayedAfterCrash(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, s)
	want := snapshotOf(t, s)
	crash(t, s)
	if _, err := os.Stat(filepath.Join(dir, connectorsFile)); !os.IsNotExist(err) {
		t.Fatalf("a change rewrote the snapshot %s (stat: %v); want it in the log only", connectorsFile, err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := snapshotOf(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("after crash and reopen:\n%+v\nwant:\n%+v", got, want)
	}
}

// TestTornLastLineDropped: a change cut short by a crash (never
// acknowledged) is dropped; the ones before it stay; a corrupt line before
// the end is an error naming the log.
func TestTornLastLineDropped(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.NextEpoch(ctx, "c", 0); err != nil {
		t.Fatal(err)
	}
	crash(t, s)
	log := filepath.Join(dir, epochsFile+logSuffix)
	appendTo(t, log, `{"n":"c","t":0,"v":2`)
	s, err = Open(dir)
	if err != nil {
		t.Fatalf("Open with a torn last line: %v", err)
	}
	if err := s.CheckEpoch(ctx, "c", 0, 1); err != nil {
		t.Fatalf("torn change applied or acknowledged one lost: %v", err)
	}
	if e, err := s.NextEpoch(ctx, "c", 0); err != nil || e != 2 {
		t.Fatalf("NextEpoch after the torn line = %d, %v; want 2", e, err)
	}
	crash(t, s)
	data, _ := os.ReadFile(log)
	os.WriteFile(log, append([]byte("{oops}\n"), data...), 0o644)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "corrupt") || !strings.Contains(err.Error(), log) {
		t.Fatalf("Open with a corrupt line = %v, want an error naming %s", err, log)
	}
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// TestCompactionAndReplayOverNewerSnapshot: a log past compactMin is folded
// into its snapshot; a crash after the snapshot's rename but before the log
// is emptied replays the old lines over the newer snapshot harmlessly.
func TestCompactionAndReplayOverNewerSnapshot(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 4096)
	for i := range 400 { // ~1.6 MB of changes: at least one compaction
		rec := state.ConnectorRecord{Name: fmt.Sprintf("c%03d", i%50), Config: map[string]string{"pad": big, "i": fmt.Sprint(i)}, Generation: int64(i)}
		if err := s.PutConnector(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if s.logs[connectorsFile].size >= compactMin {
		t.Fatalf("log holds %d bytes; want it compacted below %d", s.logs[connectorsFile].size, compactMin)
	}
	logBefore, _ := os.ReadFile(filepath.Join(dir, connectorsFile+logSuffix))
	if _, err := s.writeFile(connectorsFile); err != nil { // the snapshot of a compaction that crashed before emptying the log
		t.Fatal(err)
	}
	want, _ := s.Connectors(ctx)
	crash(t, s)
	if err := os.WriteFile(filepath.Join(dir, connectorsFile+logSuffix), logBefore, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, _ := s.Connectors(ctx); !reflect.DeepEqual(got, want) {
		t.Fatalf("replaying over the newer snapshot changed it: %d connectors, want %d", len(got), len(want))
	}
}
