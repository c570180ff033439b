package file

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/ferryhq/ferry/state"
)

// ReadOffsets returns every committed partition of a connector with its
// offset, ordered by key bytes. Keys that are not [connector, partition]
// are skipped, as Kafka Connect skips them.
func (s *Store) ReadOffsets(ctx context.Context, connector string) ([]state.OffsetEntry, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := []state.OffsetEntry{}
	for _, key := range slices.Sorted(maps.Keys(s.offsetKeys[connector])) {
		conn, partition, ok := state.DecodeOffsetKey([]byte(key))
		if !ok || conn != connector {
			continue
		}
		offset, err := state.DecodeOffsetValue(s.offsets[key])
		if err != nil {
			return nil, fmt.Errorf("offset of %s in %s is corrupt: %w", key, s.dir, err)
		}
		out = append(out, state.OffsetEntry{Partition: partition, Offset: offset})
	}
	return out, nil
}

// CommitOffsets writes entries (a nil offset deletes its partition) iff
// epoch is the task's current epoch; otherwise it writes nothing and returns
// an error wrapping state.ErrFenced. The check and the write happen under
// one lock, so they are atomic; the entries are one line of the log, so a
// crash keeps all or none of them.
func (s *Store) CommitOffsets(ctx context.Context, connector string, task int, epoch int64, entries []state.OffsetEntry) (err error) {
	writes, err := encodeEntries(connector, entries)
	if err != nil {
		return err
	}
	if err := s.begin(); err != nil {
		return err
	}
	defer s.done(&err)
	if current := s.epochs[connector][task]; current != epoch {
		return fenced(connector, task, epoch, current)
	}
	old := make(map[string]json.RawMessage, len(writes))
	set := make(map[string]json.RawMessage, len(writes))
	for _, w := range writes {
		if _, saved := old[w.key]; !saved {
			old[w.key] = s.offsets[w.key]
		}
		s.setOffset(w.key, w.value)
		set[w.key] = w.value
	}
	return s.record(func() {
		for k, v := range old {
			s.setOffset(k, v)
		}
	}, offsetsFile, change{Offsets: set}, nil)
}

// CheckEpoch returns an error wrapping state.ErrFenced unless epoch is the
// task's current epoch.
func (s *Store) CheckEpoch(ctx context.Context, connector string, task int, epoch int64) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if current := s.epochs[connector][task]; current != epoch {
		return fenced(connector, task, epoch, current)
	}
	return nil
}

// setOffset stores value under key, indexed by the key's connector; nil
// deletes it.
func (s *Store) setOffset(key string, value json.RawMessage) {
	conn := offsetConnector(key)
	if value == nil {
		delete(s.offsets, key)
		delete(s.offsetKeys[conn], key)
		return
	}
	s.offsets[key] = value
	if s.offsetKeys[conn] == nil {
		s.offsetKeys[conn] = map[string]bool{}
	}
	s.offsetKeys[conn][key] = true
}

// indexOffsets builds the connector index of the offsets loaded from disk.
func (s *Store) indexOffsets() {
	s.offsetKeys = map[string]map[string]bool{}
	for key := range s.offsets {
		conn := offsetConnector(key)
		if s.offsetKeys[conn] == nil {
			s.offsetKeys[conn] = map[string]bool{}
		}
		s.offsetKeys[conn][key] = true
	}
}

// offsetConnector is the connector an offset key belongs to ("" for a key
// that is not [connector, partition]; ReadOffsets skips those).
func offsetConnector(key string) string {
	conn, _, _ := state.DecodeOffsetKey([]byte(key))
	return conn
}

// write is one encoded offset entry: a nil value is a tombstone.
type write struct {
	key   string
	value json.RawMessage
}

// encodeEntries encodes every entry before anything is written, so a bad
// entry leaves the store untouched.
func encodeEntries(connector string, entries []state.OffsetEntry) ([]write, error) {
	out := make([]write, len(entries))
	for i, e := range entries {
		if e.Partition == nil {
			return nil, fmt.Errorf("offset entry %d of connector %s has no partition", i, connector)
		}
		key, err := state.OffsetKey(connector, e.Partition)
		if err != nil {
			return nil, fmt.Errorf("offset entry %d of connector %s: partition: %w", i, connector, err)
		}
		value, err := state.OffsetValue(e.Offset)
		if err != nil {
			return nil, fmt.Errorf("offset entry %d of connector %s: offset: %w", i, connector, err)
		}
		out[i] = write{key: string(key), value: value}
	}
	return out, nil
}
