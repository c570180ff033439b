package postgrescdc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/jackc/pglogrepl"
)

// Offset keys of the incremental snapshot's position in ferry's form: the
// text of the key of the last row emitted and of the table's largest key
// when its snapshot began, as JSON arrays. (Debezium's own keys hold
// Java-serialized arrays; the table list is written under Debezium's key.)
const (
	OffsetIncAfter = "ferry_" + debezium.OffsetIncrementalPrimaryKey
	OffsetIncMax   = "ferry_" + debezium.OffsetIncrementalMaximumKey
)

// incState is a running incremental snapshot (Debezium's, the DBLog
// algorithm): the tables in queue are read in chunks, each chunk between
// two watermark rows written to the signalling table; its rows are emitted
// when the stream reaches the second, minus the rows changed in between.
type incState struct {
	queue  []string // schema.table still to read; the first is being read
	after  []string // key text of the last row emitted (or skipped) of queue[0]; nil at its start
	max    []string // key text of queue[0]'s largest row when its snapshot began
	window debezium.Window[snapRow]
	last   []string          // key text of the pending chunk's last row
	done   bool              // the pending chunk ends its table
	signal uint32            // OID of the signalling table; 0 without one
	corr   string            // the id of the execute-snapshot signal (Debezium's correlation id)
	kinds  []uint32          // OIDs of queue[0]'s key columns, for Debezium's form of the position
	conds  map[string]string // additional conditions of queued tables (execute-snapshot's additional-conditions)
	paused bool              // a pause-snapshot signal holds the next chunk
	enc    struct {          // stamp's encodings of queue and max
		queue []string
		conds map[string]string
		coll  string
		max   encodedKey
	}
	sig *debezium.KafkaSignals // the kafka signal channel; nil when off
	// hold is the end of the transaction before a signal row whose state
	// (the tables queued, the pause) no record has carried yet: the slot
	// is not confirmed past it, so a restart reads the signal again.
	hold, stamped, holdStamped uint64
	startOff                   map[string]any // the offset the invocation started from
}

// chunkRead, set by tests, runs between a chunk's query and its high
// watermark: changes it makes fall inside the window.
var chunkRead func(table string, first, last []string)

// snapRow is a row a chunk read, waiting for the chunk's high watermark.
type snapRow struct {
	t     *table
	key   []string
	after *connectors.Struct
}

// busy reports whether a snapshot is running (paused or not).
func (in *incState) busy() bool { return len(in.queue) > 0 }

// working reports whether a poll keeps reading for the snapshot: a chunk
// waits for its high watermark, or one is due and the snapshot not paused.
func (in *incState) working() bool {
	return in.window.Pending() || in.busy() && !in.paused
}

func (in *incState) nextTable() {
	delete(in.conds, in.queue[0])
	in.queue, in.after, in.max, in.last, in.done, in.kinds = in.queue[1:], nil, nil, nil, false, nil
	in.window.Reset()
	if len(in.queue) == 0 {
		in.corr, in.paused, in.conds = "", false, nil
	}
}

// stamp writes the snapshot's position into an event's offset, so the
// offset committed last says where the snapshot resumes. The table list
// and the largest key are encoded once while they stay the same.
func (in *incState) stamp(off map[string]any) {
	in.stamped++
	in.sig.Stamp(off)
	if len(in.queue) == 0 {
		return
	}
	if !slices.Equal(in.enc.queue, in.queue) || !maps.Equal(in.enc.conds, in.conds) {
		in.enc.queue, in.enc.conds = slices.Clone(in.queue), maps.Clone(in.conds)
		in.enc.coll = debezium.EncodeCollections(in.queue, in.conds)
	}
	off[debezium.OffsetIncrementalCollections] = in.enc.coll
	if in.paused {
		off[debezium.OffsetIncrementalPaused] = true
	}
	if in.corr != "" {
		off[debezium.OffsetIncrementalCorrelation] = in.corr
	}
	if in.after != nil {
		var after encodedKey
		after.set(in.kinds, in.after)
		after.put(off, OffsetIncAfter, debezium.OffsetIncrementalPrimaryKey)
	}
	if in.max != nil {
		if !slices.Equal(in.enc.max.key, in.max) || !slices.Equal(in.enc.max.kinds, in.kinds) {
			in.enc.max.set(in.kinds, in.max)
		}
		in.enc.max.put(off, OffsetIncMax, debezium.OffsetIncrementalMaximumKey)
	}
}

// encodedKey is a key in both offset forms: ferry's text (a JSON array) and
// Debezium's (when its column types allow).
type encodedKey struct {
	key        []string
	kinds      []uint32
	text, java string
	javaOK     bool
}

func (e *encodedKey) set(kinds []uint32, key []string) {
	b, _ := json.Marshal(key)
	e.key, e.kinds, e.text = slices.Clone(key), slices.Clone(kinds), string(b)
	e.java, e.javaOK = javaKey(kinds, key)
}

func (e *encodedKey) put(off map[string]any, textKey, dbzKey string) {
	off[textKey] = e.text
	if e.javaOK {
		off[dbzKey] = e.java
	}
}

// javaKey is a key in Debezium's offset form (hex of a Java-serialized
// Object[]) when its columns are all integers or strings, which PostgreSQL's
// JDBC driver reads as Short, Integer, Long and String.
func javaKey(kinds []uint32, key []string) (string, bool) {
	if len(kinds) != len(key) {
		return "", false
	}
	vals := make([]any, len(key))
	for i, oid := range kinds {
		var err error
		switch oid {
		case oidInt2, oidInt4, oidInt8:
			var n int64
			n, err = strconv.ParseInt(key[i], 10, 64)
			vals[i] = map[uint32]any{oidInt2: int16(n), oidInt4: int32(n), oidInt8: n}[oid]
		case oidText, oidVarchar, oidBPChar:
			vals[i] = key[i]
		default:
			return "", false
		}
		if err != nil {
			return "", false
		}
	}
	return debezium.EncodeKey(vals), true
}

// textKey reads a key Debezium wrote back into key text.
func textKey(java string) ([]string, error) {
	vals, err := debezium.DecodeKey(java)
	if err != nil || vals == nil {
		return nil, err
	}
	key := make([]string, len(vals))
	for i, v := range vals {
		key[i] = fmt.Sprint(v)
	}
	return key, nil
}

// setTable notes the key columns of the table being read.
func (in *incState) setTable(t *table) {
	in.kinds = in.kinds[:0]
	for _, c := range t.keyCols {
		in.kinds = append(in.kinds, c.oid)
	}
}

// restore reads the snapshot's position from a committed offset. A position
// Debezium wrote (Java-serialized keys) restarts the current table.
func (in *incState) restore(off map[string]any) error {
	raw, _ := off[debezium.OffsetIncrementalCollections].(string)
	if raw == "" {
		return nil
	}
	var err error
	if in.queue, in.conds, err = debezium.DecodeCollections(raw); err != nil {
		return err
	}
	in.paused, _ = off[debezium.OffsetIncrementalPaused].(bool)
	in.corr, _ = off[debezium.OffsetIncrementalCorrelation].(string)
	for key, dst := range map[string]*[]string{OffsetIncAfter: &in.after, OffsetIncMax: &in.max} {
		if s, ok := off[key].(string); ok {
			if err := json.Unmarshal([]byte(s), dst); err != nil {
				return fmt.Errorf("postgres cdc offset %s = %q: %w; reset the connector's offsets", key, s, err)
			}
		}
	}
	if _, ours := off[OffsetIncMax]; ours {
		return nil
	}
	// Debezium's offset: its positions, when they are integers and strings.
	dbzAfter, _ := off[debezium.OffsetIncrementalPrimaryKey].(string)
	dbzMax, _ := off[debezium.OffsetIncrementalMaximumKey].(string)
	after, err1 := textKey(dbzAfter)
	max, err2 := textKey(dbzMax)
	if err := errors.Join(err1, err2); err != nil {
		slog.Warn("postgres cdc: the incremental snapshot position in the offset is not readable; the current table is read again from its start",
			"table", in.queue[0], "error", err)
		return nil
	}
	in.after, in.max = after, max
	return nil
}

// nextChunk reads the next chunk between its watermarks when a snapshot is
// running, no chunk is pending and the stream has caught up with the WAL
// written before the invocation (so the window stays short).
func (tk *Task) nextChunk(ctx context.Context) error {
	in, s := &tk.inc, &tk.stream
	if err := tk.readKafkaSignals(ctx); err != nil {
		return err
	}
	for in.busy() && !in.paused && !in.window.Pending() && s.seen >= s.target {
		t := tk.tableNamed(in.queue[0])
		if t == nil || len(t.keyCols) == 0 {
			slog.Warn("postgres cdc: incremental snapshot skips a table without a primary key", "table", in.queue[0])
			in.nextTable()
			continue
		}
		in.setTable(t)
		if in.max == nil {
			max, err := tk.selectRows(ctx, t, nil, nil, 1, true, in.conds[in.queue[0]])
			if err != nil && tk.filterFailed(err) {
				err = nil
			}
			if err != nil || len(max) == 0 {
				in.nextTable()
				if err != nil {
					return err
				}
				continue
			}
			in.max = max[0].key
		}
		started, err := tk.readWindow(ctx, t)
		if err != nil || started {
			return err
		}
		in.nextTable()
	}
	return nil
}

// readWindow writes the low watermark, reads the chunk after in.after and
// writes the high watermark; false when no row was left to read.
func (tk *Task) readWindow(ctx context.Context, t *table) (bool, error) {
	in := &tk.inc
	id, opened := debezium.NewChunkID(), time.Now()
	if err := tk.watermark(ctx, debezium.WindowOpen(id, opened), false); err != nil {
		return false, err
	}
	rows, err := tk.selectRows(ctx, t, in.after, in.max, tk.cfg.IncChunkSize, false, in.conds[in.queue[0]])
	if err != nil && tk.filterFailed(err) {
		return false, nil
	}
	if err != nil || len(rows) == 0 {
		return false, err
	}
	keys := make([]string, len(rows))
	buf := make([]snapRow, len(rows))
	for i, r := range rows {
		after, err := t.row(r.vals, nil)
		if err != nil {
			return false, err
		}
		keys[i], buf[i] = keyString(r.key), snapRow{t: t, key: r.key, after: after}
	}
	if chunkRead != nil {
		chunkRead(t.String(), rows[0].key, rows[len(rows)-1].key)
	}
	close := debezium.WindowClose(id, opened, time.Now())
	if err := tk.watermark(ctx, close, tk.cfg.IncWatermarking == "insert_delete"); err != nil {
		return false, err
	}
	in.window.Start(id, keys, buf)
	in.last = rows[len(rows)-1].key
	in.done = len(rows) < tk.cfg.IncChunkSize || slices.Equal(in.last, in.max)
	return true, nil
}

// emitChunk adds a closed window's rows to the current transaction as read
// events (source.snapshot "incremental") at the high watermark's position.
// Each offset names its own key as the snapshot's position, the last one
// the chunk's end (rows after it were changed in the window, and those
// changes precede it) or, when the chunk ends its table, the next table.
func (tk *Task) emitChunk(rows []snapRow, x pglogrepl.XLogData) {
	s, in := &tk.stream, &tk.inc
	if s.cur == nil {
		return
	}
	p := position{lsn: uint64(x.WALStart), commitLSN: s.cur.final, lastCommit: s.lastFinal, xid: s.cur.xid, commitTime: s.cur.commitTime}
	end := func() {
		if in.after = in.last; in.done {
			in.nextTable()
		}
	}
	for i, r := range rows {
		if in.after = r.key; i == len(rows)-1 {
			end()
		}
		ev := tk.events(nil, r.t, debezium.OpRead, nil, r.after, p)[0]
		setSnapshotMark(ev, "incremental")
		// As Debezium: an incremental read names no transaction or LSN.
		recordSource(ev).Set(srcTxID, nil)
		recordSource(ev).Set(srcLSN, nil)
		s.cur.recs = append(s.cur.recs, ev)
	}
	if len(rows) == 0 {
		end()
	}
}

// dedup drops the keys a change touches from the open window.
func (tk *Task) dedup(t *table, vals ...map[string]*string) {
	if !tk.inc.window.Pending() {
		return
	}
	for _, v := range vals {
		if key := t.keyText(v); v != nil && key != nil && tk.inc.queue[0] == t.String() {
			tk.inc.window.Changed(keyString(key))
		}
	}
}

func keyString(key []string) string { return strings.Join(key, "\x00") }

func (tk *Task) tableNamed(name string) *table {
	for _, t := range tk.tables {
		if t.String() == name {
			return tk.byOID[t.oid]
		}
	}
	return nil
}
