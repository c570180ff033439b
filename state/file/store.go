// Package file is the standalone state backend: a directory of small JSON
// files, each rewritten atomically (temp file, fsync, rename) on every change,
// with an in-memory copy guarded by one mutex. One process owns a directory at
// a time (flock on LOCK). Separate files keep a status update from rewriting
// offsets.
package file

import (
	"bytes"
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
	statuses map[string]map[int]state.TaskStatus
	// epochs by connector, then task id: the last value NextEpoch returned.
	epochs map[string]map[int]int64
	// offsets maps the exact OffsetKey bytes to the offset value JSON.
	offsets map[string]json.RawMessage
	// signing holds the invocation signing keys (generation 0: none yet).
	signing state.SigningKeys
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
	s := &Store{dir: dir, lock: lock}
	for _, name := range []string{connectorsFile, statusesFile, epochsFile, offsetsFile} {
		if err := s.load(name); err != nil {
			unlockDir(lock)
			return nil, err
		}
	}
	if err := s.loadSigning(); err != nil {
		unlockDir(lock)
		return nil, err
	}
	return s, nil
}

// Close releases the directory lock; the store is unusable afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return unlockDir(s.lock)
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
		return decodeInto(path, data, &s.offsets)
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

// persist writes the in-memory copy of each named file to disk atomically,
// in order. If a write fails it calls undo, which must restore the in-memory
// state as it was before the change, so memory never claims a change that is
// not durable. Callers hold s.mu.
func (s *Store) persist(undo func(), names ...string) error {
	for _, name := range names {
		if err := s.writeFile(name); err != nil {
			undo()
			return err
		}
	}
	return nil
}

// writeFile replaces file name with the JSON of its in-memory copy:
// temp file, fsync, rename, fsync of the directory.
func (s *Store) writeFile(name string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s.target(name)); err != nil {
		return fmt.Errorf("encode state file %s: %w", name, err)
	}
	path := filepath.Join(s.dir, name)
	tmp, err := os.CreateTemp(s.dir, name+".tmp-*")
	if err != nil {
		return fmt.Errorf("write state file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("write state file %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync state file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write state file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace state file %s: %w", path, err)
	}
	return syncDir(s.dir)
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
