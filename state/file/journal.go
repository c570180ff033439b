package file

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Each state file NAME (connectors.json, ...) is a snapshot plus a change
// log NAME.log: a change appends one JSON line to the log (and, for all but
// statuses, fsyncs it) instead of rewriting the whole file, so a change costs
// the same with 10 connectors or 10,000. When a log outgrows both
// compactMin and its snapshot, the snapshot is rewritten atomically (temp
// file, fsync, rename, directory fsync) and the log emptied; Close does the
// same for every file, so a closed directory holds only the snapshots.
//
// Crash safety: a change is acknowledged only after its line is fsynced
// (operations running at once share one fsync, see done).
// Opening replays the log over the snapshot; every line sets a value (never
// adds to one), so replaying lines the snapshot already holds (a crash
// between the rename and the emptying of the log) changes nothing. A last
// line cut short by a crash was never acknowledged and is dropped.

// logSuffix names a state file's change log.
const logSuffix = ".log"

// compactMin is the least log size that triggers a compaction.
const compactMin = 1 << 20

// change is one line of a change log. Name (and Task) say what it
// sets; a null Value deletes it. Offsets carry one whole commit. Statuses: a Name without Task and a null
// Value deletes every task status of that connector.
type change struct {
	Name  string          `json:"n,omitempty"`
	Task  *int            `json:"t,omitempty"`
	Value json.RawMessage `json:"v"`
	// Offsets are the offset keys and values of one commit (null deletes).
	Offsets map[string]json.RawMessage `json:"o,omitempty"`
}

// journal is the open change log of one state file.
type journal struct {
	f    *os.File
	size int64 // bytes in the log
	snap int64 // bytes of the snapshot
	// lazy logs (statuses) are fsynced with the next synced change or at
	// compaction and Close, not on every append: a status is reported again
	// by the task's next invocation. unsynced: written since the last fsync.
	lazy, unsynced bool
}

// openJournal replays the log of file name into the store's memory and
// opens it for appending.
func (s *Store) openJournal(name string, lazy bool) (*journal, error) {
	path := filepath.Join(s.dir, name+logSuffix)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open state log %s: %w", path, err)
	}
	good, err := s.replay(name, f)
	if err == nil {
		err = f.Truncate(good) // drop a torn last line
	}
	if err == nil {
		_, err = f.Seek(good, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("state log %s: %w", path, err)
	}
	j := &journal{f: f, size: good, lazy: lazy}
	if fi, err := os.Stat(filepath.Join(s.dir, name)); err == nil {
		j.snap = fi.Size()
	}
	return j, nil
}

// replay applies every whole line of r to file name's memory and returns
// the length of the whole lines.
func (s *Store) replay(name string, r io.Reader) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var good int64
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return good, nil // a line without its newline was never acknowledged
		}
		if err != nil {
			return 0, err
		}
		var c change
		if err := json.Unmarshal(bytes.TrimSpace(line), &c); err != nil {
			return 0, fmt.Errorf("line at byte %d is corrupt (fix or remove the log): %w", good, err)
		}
		if err := s.apply(name, c); err != nil {
			return 0, fmt.Errorf("line at byte %d is corrupt (fix or remove the log): %w", good, err)
		}
		good += int64(len(line))
	}
}

// record appends c to file name's log, durably unless the log is lazy, and
// compacts the log when it has grown past its snapshot. If it fails it calls
// undo, which must restore memory as it was before the change, and refuses
// every later change: a log that failed a write may end in a torn line, and
// only reopening the store can tell what reached the disk. Callers hold s.mu.
func (s *Store) record(undo func(), name string, c change, value any) error {
	if s.broken != nil {
		undo()
		return s.broken
	}
	var err error
	c.Value, err = json.Marshal(value)
	var line []byte
	if err == nil {
		line, err = json.Marshal(c)
	}
	if err != nil {
		undo()
		return fmt.Errorf("encode change of state file %s: %w", name, err)
	}
	j := s.logs[name]
	if err := s.appendLine(j, append(line, '\n')); err != nil {
		undo()
		s.broken = fmt.Errorf("writing state log %s failed: %w; ferry refuses further changes to %s: restart it once the disk is fixed", name+logSuffix, err, s.dir)
		return s.broken
	}
	if j.size > compactMin && j.size > j.snap {
		if err := s.compact(name); err != nil {
			s.broken = err
			return err
		}
	}
	return nil
}

// appendLine writes line to j. A line of a log that is not lazy makes the
// current operation wait for an fsync (done) once it released the lock.
func (s *Store) appendLine(j *journal, line []byte) error {
	if _, err := j.f.Write(line); err != nil {
		return err
	}
	j.size += int64(len(line))
	j.unsynced = true
	if !j.lazy {
		s.appended++
		s.pending = s.appended
	}
	return nil
}

// done ends a changing operation: it releases s.mu, then waits until the
// lines the operation appended are on disk, and reports a failed fsync in
// *err. Operations running at the same time share one fsync (group
// commit). Memory shows a change before its fsync returns: a change not
// yet acknowledged may be read (an epoch not yet handed out fences older
// ones already, which is safe), and a failed fsync refuses every later
// change until the store is reopened from disk.
func (s *Store) done(err *error) {
	seq := s.pending
	s.pending = 0
	s.mu.Unlock()
	if *err == nil && seq > 0 {
		*err = s.sync(seq)
	}
}

// sync makes every line appended up to seq durable: it fsyncs each log
// written since the last sync, once for all operations waiting.
func (s *Store) sync(seq int64) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if s.synced >= seq {
		return nil
	}
	s.mu.Lock()
	target := s.appended
	var files []*os.File
	for _, j := range s.logs {
		if j.unsynced {
			files = append(files, j.f)
			j.unsynced = false
		}
	}
	broken := s.broken
	s.mu.Unlock()
	if broken != nil {
		return broken
	}
	for _, f := range files {
		if err := f.Sync(); err != nil {
			s.mu.Lock()
			s.broken = fmt.Errorf("syncing state log %s failed: %w; ferry refuses further changes to %s: restart it once the disk is fixed", f.Name(), err, s.dir)
			err = s.broken
			s.mu.Unlock()
			return err
		}
	}
	s.synced = target
	return nil
}

// compact rewrites file name's snapshot from memory and empties its log.
func (s *Store) compact(name string) error {
	j := s.logs[name]
	n, err := s.writeFile(name)
	if err != nil {
		return fmt.Errorf("compacting state file %s: %w; ferry refuses further changes until restarted", name, err)
	}
	j.snap = n
	if err := j.f.Truncate(0); err != nil {
		return fmt.Errorf("emptying state log %s: %w", name+logSuffix, err)
	}
	if _, err := j.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("emptying state log %s: %w", name+logSuffix, err)
	}
	j.size, j.unsynced = 0, false
	return j.f.Sync()
}

// closeJournals folds every log into its snapshot and removes it.
func (s *Store) closeJournals() error {
	var errs []error
	for name, j := range s.logs {
		if s.broken == nil {
			if err := s.compact(name); err != nil {
				errs = append(errs, err)
			} else if err := os.Remove(j.f.Name()); err != nil {
				errs = append(errs, err)
			}
		}
		errs = append(errs, j.f.Close())
	}
	return errors.Join(errs...)
}
