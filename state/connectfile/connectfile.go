// Package connectfile reads the offsets file of Kafka Connect's standalone
// worker (connect-standalone's offset.storage.file.filename): a Java-serialized
// java.util.HashMap<byte[], byte[]> whose keys are the offsets-topic keys
// ["<connector>",{partition}] and whose values are the JSON offsets (null
// for a partition whose offset was reset). It reads only that, bounded, so
// `ferry migrate standalone` can import the offsets into a ferry store.
package connectfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/ferryhq/ferry/state"
)

// MaxFileSize bounds the file read: far above any real offsets file.
const MaxFileSize = 64 << 20

// ErrFormat is wrapped by every error about the file's contents.
var ErrFormat = errors.New("not a connect-standalone offsets file (offset.storage.file.filename)")

// Entry is one key and value of the map; a nil Value is a reset partition.
type Entry struct {
	Key, Value []byte
}

// Read reads and decodes the offsets file at path.
func Read(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("offsets file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("offsets file %s: %w", path, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("offsets file %s is larger than %d MiB: %w", path, MaxFileSize>>20, ErrFormat)
	}
	entries, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("offsets file %s: %w", path, err)
	}
	return entries, nil
}

// Decode reads the serialized map in b; an empty b is an empty map, as
// connect-standalone reads a file it has not written yet.
func Decode(b []byte) ([]Entry, error) {
	if len(b) == 0 {
		return nil, nil
	}
	r := &reader{b: b}
	if err := r.header(); err != nil {
		return nil, err
	}
	return r.hashMap()
}

// Connector is one connector's offsets from the file.
type Connector struct {
	Name    string
	Entries []state.OffsetEntry
}

// Skipped is an entry the file holds that is not a connector's offset: its
// key is not ["<connector>",{partition}] or its value is not a JSON map
// (connect-standalone skips those too).
type Skipped struct {
	Key, Reason string
}

// Offsets groups entries by connector, sorted by name, each connector's
// partitions in file order; a reset partition has a nil Offset.
func Offsets(entries []Entry) ([]Connector, []Skipped) {
	byName := map[string]*Connector{}
	var skipped []Skipped
	for _, e := range entries {
		name, partition, ok := state.DecodeOffsetKey(e.Key)
		if !ok {
			skipped = append(skipped, Skipped{Key: string(e.Key), Reason: `key is not ["<connector>",{partition}]`})
			continue
		}
		off, err := state.DecodeOffsetValue(e.Value)
		if err != nil || (e.Value != nil && off == nil) {
			skipped = append(skipped, Skipped{Key: string(e.Key), Reason: fmt.Sprintf("offset %q is not a JSON object", e.Value)})
			continue
		}
		c := byName[name]
		if c == nil {
			c = &Connector{Name: name}
			byName[name] = c
		}
		c.Entries = append(c.Entries, state.OffsetEntry{Partition: partition, Offset: off})
	}
	out := make([]Connector, 0, len(byName))
	for _, c := range byName {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, skipped
}
