// Package file is the standalone state backend: a directory of JSON files
// (connectors, statuses, epochs, offsets), each a snapshot plus an
// append-only change log folded into it from time to time (journal.go), with
// an in-memory copy guarded by one mutex. One process owns a directory at a
// time (flock on LOCK).
package file

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/ferryhq/ferry/state"
)

// ErrLocked is returned by Open when another process holds the directory.
var ErrLocked = errors.New("state directory locked")

// ErrClosed is returned by every method after Close: reopen the store.
var ErrClosed = errors.New("file state store is closed")

// The files of a state directory.
const (
	connectorsFile = "connectors.json"
	statusesFile   = "statuses.json"
	epochsFile     = "epochs.json"
	offsetsFile    = "offsets.json"
	lockFile       = "LOCK"
)

func lockPath(dir string) string { return filepath.Join(dir, lockFile) }

// Store is a state.Store kept in a local directory.
type Store struct {
	dir  string
	lock *os.File

	mu     sync.Mutex
	closed bool
	// connectors by name.
	connectors map[string]state.ConnectorRecord
	// statuses by connector, then task id.
	statuses map[string]taskStatuses
	// epochs by connector, then task id: the last value NextEpoch returned.
	epochs map[string]map[int]int64
	// offsets maps the exact OffsetKey bytes to the offset value JSON;
	// offsetKeys indexes those keys by connector, for ReadOffsets.
	offsets    map[string]json.RawMessage
	offsetKeys map[string]map[string]bool
	// signing holds the invocation signing keys (generation 0: none yet).
	signing state.SigningKeys
	// revision counts changes to connectors (ConnectorsRevision),
	// statusRevision changes to statuses (StatusesRevision).
	revision, statusRevision int64
	// logs are the open change logs by file name; broken is set once a
	// log write failed, and refuses every later change.
	logs   map[string]*journal
	broken error
	// appended numbers the log lines that need an fsync; pending is the
	// last one of the operation holding mu. syncMu serialises fsyncs and
	// guards synced, the last number known durable.
	appended, pending int64
	syncMu            sync.Mutex
	synced            int64
}

var _ state.Store = (*Store)(nil)

// Open opens (creating if missing) the state directory dir, locks it and
// loads its files. It fails with ErrLocked if another process uses dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create state directory %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, lock: lock, logs: map[string]*journal{}}
	for _, name := range []string{connectorsFile, statusesFile, epochsFile, offsetsFile} {
		err := s.load(name)
		var j *journal
		if err == nil {
			j, err = s.openJournal(name, name == statusesFile)
		}
		if err == nil {
			s.logs[name] = j
			continue
		}
		s.abandon()
		return nil, err
	}
	if err := s.loadSigning(); err != nil {
		s.abandon()
		return nil, err
	}
	return s, nil
}

// abandon closes the logs opened so far and releases the lock, when Open fails.
func (s *Store) abandon() {
	for _, j := range s.logs {
		j.f.Close()
	}
	unlockDir(s.lock)
}

// persist rewrites file name whole, for the rare, small signing keys; if
// that fails it calls undo, which must restore memory as it was. Callers
// hold s.mu.
func (s *Store) persist(undo func(), name string) error {
	if _, err := s.writeFile(name); err != nil {
		undo()
		return err
	}
	return nil
}

// Close releases the directory lock; the store is unusable afterwards.
func (s *Store) Close() error {
	s.syncMu.Lock() // no fsync runs on a log being closed
	defer s.syncMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return errors.Join(s.closeJournals(), unlockDir(s.lock))
}

// Dir is the state directory.
func (s *Store) Dir() string { return s.dir }

// target returns the in-memory value stored in file name.
func (s *Store) target(name string) any {
	switch name {
	case connectorsFile:
		return &s.connectors
	case statusesFile:
		return &s.statuses
	case epochsFile:
		return &s.epochs
	case signingFile:
		return &s.signing
	default:
		return &s.offsets
	}
}

// load replaces the in-memory copy of file name with its content on disk;
// a missing file is empty.
func (s *Store) load(name string) error {
	path := filepath.Join(s.dir, name)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read state file %s: %w", path, err)
	}
	switch name {
	case connectorsFile:
		return decodeInto(path, data, &s.connectors)
	case statusesFile:
		return decodeInto(path, data, &s.statuses)
	case epochsFile:
		return decodeInto(path, data, &s.epochs)
	default:
		if err := decodeInto(path, data, &s.offsets); err != nil {
			return err
		}
		s.indexOffsets()
		return nil
	}
}

// decodeInto sets *dst to the JSON map in data (empty when data is empty).
func decodeInto[K comparable, V any](path string, data []byte, dst *map[K]V) error {
	m := map[K]V{}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("state file %s is corrupt (fix or remove it): %w", path, err)
		}
	}
	if m == nil {
		m = map[K]V{}
	}
	*dst = m
	return nil
}

// writeFile replaces file name with the JSON of its in-memory copy (temp
// file, fsync, rename, fsync of the directory) and returns its size. The
// JSON is streamed into the temp file (encodeSnapshot), not built in memory.
func (s *Store) writeFile(name string) (int64, error) {
	path := filepath.Join(s.dir, name)
	tmp, err := os.CreateTemp(s.dir, name+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("write state file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	n, err := encodeSnapshot(tmp, s.target(name))
	if err != nil {
		tmp.Close()
		return 0, fmt.Errorf("write state file %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("sync state file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("write state file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("replace state file %s: %w", path, err)
	}
	return n, syncDir(s.dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync state directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync state directory %s: %w", dir, err)
	}
	return nil
}

// begin locks the store for one operation; it fails after Close.
func (s *Store) begin() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	return nil
}

// apply sets in memory what one change line of file name says.
func (s *Store) apply(name string, c change) error {
	deleting := string(c.Value) == "null"
	switch name {
	case connectorsFile:
		if deleting {
			delete(s.connectors, c.Name)
			return nil
		}
		var rec state.ConnectorRecord
		if err := json.Unmarshal(c.Value, &rec); err != nil {
			return err
		}
		s.connectors[c.Name] = rec
	case statusesFile:
		if c.Task == nil {
			delete(s.statuses, c.Name)
			return nil
		}
		var st state.TaskStatus
		if err := json.Unmarshal(c.Value, &st); err != nil {
			return err
		}
		st.Task = *c.Task
		s.statuses[c.Name], _, _ = s.statuses[c.Name].put(st)
	case epochsFile:
		var e int64
		if c.Task == nil {
			return errors.New("epoch change without a task")
		}
		if err := json.Unmarshal(c.Value, &e); err != nil {
			return err
		}
		if s.epochs[c.Name] == nil {
			s.epochs[c.Name] = map[int]int64{}
		}
		s.epochs[c.Name][*c.Task] = e
	default:
		for key, value := range c.Offsets {
			if string(value) == "null" {
				value = nil
			}
			s.setOffset(key, value)
		}
	}
	return nil
}
