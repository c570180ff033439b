package debezium

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"
)

// Debezium's signal types, written in the type column of the signalling
// table (signal.data.collection: columns id, type, data).
const (
	SignalExecuteSnapshot = "execute-snapshot"
	SignalStopSnapshot    = "stop-snapshot"
	SignalWindowOpen      = "snapshot-window-open"
	SignalWindowClose     = "snapshot-window-close"
	SignalPauseSnapshot   = "pause-snapshot"
	SignalResumeSnapshot  = "resume-snapshot"
	SignalLog             = "log"
)

// Offset keys of a running incremental snapshot, as Debezium names them.
// Debezium writes the two key positions as hex of Java-serialized Object[]
// arrays; connectors that cannot read them restart the current table.
const (
	OffsetIncrementalCollections = "incremental_snapshot_collections"
	OffsetIncrementalPrimaryKey  = "incremental_snapshot_primary_key"
	OffsetIncrementalMaximumKey  = "incremental_snapshot_maximum_key"
	OffsetIncrementalCorrelation = "incremental_snapshot_correlation_id" // the id of the execute-snapshot signal
	// OffsetIncrementalPaused (ferry's) keeps a pause-snapshot across
	// invocations; Debezium holds it in memory only.
	OffsetIncrementalPaused = "ferry_incremental_snapshot_paused"
)

// collection is one entry of incremental_snapshot_collections, its fields
// in Debezium's order.
type collection struct {
	ID        string  `json:"incremental_snapshot_collections_id"`
	Condition *string `json:"incremental_snapshot_collections_additional_condition"`
	Surrogate *string `json:"incremental_snapshot_collections_surrogate_key"`
}

// EncodeCollections is incremental_snapshot_collections as Debezium writes
// it: a JSON array of {id, additional_condition, surrogate_key}; conds
// holds the additional condition of a table (none: null).
func EncodeCollections(names []string, conds map[string]string) string {
	list := make([]collection, len(names))
	for i, n := range names {
		list[i] = collection{ID: n}
		if c, ok := conds[n]; ok && c != "" {
			list[i].Condition = &c
		}
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// DecodeCollections reads incremental_snapshot_collections: the tables and
// their additional conditions (nil when none has one).
func DecodeCollections(s string) ([]string, map[string]string, error) {
	var list []collection
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, nil, fmt.Errorf("offset %s = %q: %w; reset the connector's offsets", OffsetIncrementalCollections, s, err)
	}
	names := make([]string, 0, len(list))
	var conds map[string]string
	for _, e := range list {
		if e.ID == "" {
			continue
		}
		names = append(names, e.ID)
		if e.Condition != nil && *e.Condition != "" {
			if conds == nil {
				conds = map[string]string{}
			}
			conds[e.ID] = *e.Condition
		}
	}
	return names, conds, nil
}

// NewChunkID returns a random UUID naming a chunk's watermarks.
func NewChunkID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Watermark is one row a connector inserts into the signalling table.
type Watermark struct{ ID, Type, Data string }

// WindowOpen is the low watermark of a chunk, as Debezium writes it.
func WindowOpen(chunkID string, opened time.Time) Watermark {
	return Watermark{chunkID + "-open", SignalWindowOpen,
		fmt.Sprintf(`{"openWindowTimestamp": "%s"}`, opened.UTC().Format(time.RFC3339Nano))}
}

// WindowClose is the high watermark of a chunk (the insert_insert strategy).
func WindowClose(chunkID string, opened, closed time.Time) Watermark {
	return Watermark{chunkID + "-close", SignalWindowClose,
		fmt.Sprintf(`{"openWindowTimestamp": "%s", "closeWindowTimestamp": "%s"}`,
			opened.UTC().Format(time.RFC3339Nano), closed.UTC().Format(time.RFC3339Nano))}
}

// Window is the DBLog chunk buffer: the rows a chunk query read, in key
// order, waiting for the chunk's high watermark in the change stream.
// Between the low and the high watermark every key a change touches is
// dropped: the change itself carries that row's newer state.
type Window[R any] struct {
	chunk  string
	open   bool
	keys   []string
	rows   map[string]R
	active bool
}

// Start buffers a chunk read between its watermarks: keys[i] is the key
// of rows[i]. Watermarks of other chunks are ignored from now on.
func (w *Window[R]) Start(chunkID string, keys []string, rows []R) {
	w.chunk, w.open, w.active = chunkID, false, true
	w.keys = keys
	w.rows = make(map[string]R, len(keys))
	for i, k := range keys {
		w.rows[k] = rows[i]
	}
}

// Pending reports whether a chunk waits for its high watermark.
func (w *Window[R]) Pending() bool { return w.active }

// Open handles a low watermark: true when it is the current chunk's.
func (w *Window[R]) Open(id string) bool {
	if !w.active || id != w.chunk+"-open" {
		return false
	}
	w.open = true
	return true
}

// Changed drops key from the chunk when the window is open.
func (w *Window[R]) Changed(key string) {
	if w.open {
		delete(w.rows, key)
	}
}

// Close handles a high watermark: for the current chunk it returns the rows
// left, in key order, and true; the window is then empty.
func (w *Window[R]) Close(id string) ([]R, bool) {
	if !w.active || !w.open || id != w.chunk+"-close" {
		return nil, false
	}
	out := make([]R, 0, len(w.rows))
	for _, k := range w.keys {
		if r, ok := w.rows[k]; ok {
			out = append(out, r)
		}
	}
	*w = Window[R]{}
	return out, true
}

// Reset forgets the chunk (its rows are read again by a later chunk).
func (w *Window[R]) Reset() { *w = Window[R]{} }
