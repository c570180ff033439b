package mysqlcdc

import (
	"log/slog"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/go-mysql-org/go-mysql/replication"
)

// OffsetIncrementalInitial marks an incremental snapshot that is the
// initial snapshot (snapshot.mode=initial with signal.data.collection): its
// reads are marked source.snapshot=true, not incremental.
const OffsetIncrementalInitial = "ferry_incremental_initial"

// incSnapshot is a running incremental snapshot (Debezium's DBLog
// algorithm): chunks of the first queued table are read in key order
// between a low and a high watermark written to the signalling table; rows
// a change event touches while the window is open are dropped, the rest are
// emitted as reads at the high watermark. The offset of every record keeps
// the queue, the key of the last row emitted and the table's maximum key,
// so a restart reads again from the chunk after the last one emitted.
type incSnapshot struct {
	queue   []string // tables left, "db.table"; queue[0] is being read
	last    []any    // key of queue[0]'s last row emitted (nil: none yet)
	max     []any    // queue[0]'s largest key when its snapshot began (nil: not read yet)
	initial bool     // the initial snapshot: reads marked "true"
	win     debezium.Window[*connectors.Record]
	chunk   []any                  // the window's last key
	ends    bool                   // the window's chunk reaches max
	closed  []*connectors.Record   // rows of a window closed by the open transaction
	closing bool                   // the open transaction holds the high watermark
	closeAt binlogPos              // the high watermark's event: the reads' source file and pos
	closeBy uint32                 // and its server_id
	conds   map[string]string      // additional conditions of queued tables (execute-snapshot's additional-conditions)
	paused  bool                   // a pause-snapshot signal holds the next chunk
	sig     *debezium.KafkaSignals // the kafka signal channel; nil when off
}

func (s *incSnapshot) running() bool { return len(s.queue) > 0 }

// next moves to the next queued table.
func (s *incSnapshot) next() {
	delete(s.conds, s.queue[0])
	s.queue, s.last, s.max, s.chunk = s.queue[1:], nil, nil, nil
	if len(s.queue) == 0 {
		s.conds, s.paused = nil, false
	}
	s.win.Reset()
}

// store writes the snapshot's position into a record's offset.
func (s *incSnapshot) store(off map[string]any) map[string]any {
	s.sig.Stamp(off)
	if !s.running() {
		return off
	}
	off[debezium.OffsetIncrementalCollections] = debezium.EncodeCollections(s.queue, s.conds)
	if s.paused {
		off[debezium.OffsetIncrementalPaused] = true
	}
	off[debezium.OffsetIncrementalPrimaryKey] = debezium.EncodeKey(s.last)
	off[debezium.OffsetIncrementalMaximumKey] = debezium.EncodeKey(s.max)
	if s.initial {
		off[OffsetIncrementalInitial] = true
	}
	return off
}

// restoreIncremental reads a running incremental snapshot from a committed
// offset. A key ferry cannot read restarts the current table.
func (tk *Task) restoreIncremental(off map[string]any) error {
	raw, _ := off[debezium.OffsetIncrementalCollections].(string)
	if raw == "" {
		return nil
	}
	queue, conds, err := debezium.DecodeCollections(raw)
	if err != nil {
		return err
	}
	s := &tk.inc
	s.queue, s.initial = queue, isTrue(off[OffsetIncrementalInitial])
	s.conds, s.paused = conds, isTrue(off[debezium.OffsetIncrementalPaused])
	last, lerr := offsetKey(off[debezium.OffsetIncrementalPrimaryKey])
	max, merr := offsetKey(off[debezium.OffsetIncrementalMaximumKey])
	if lerr != nil || merr != nil {
		slog.Warn("mysql cdc: incremental snapshot position not readable; the table's snapshot restarts", "table", queue[0], "error", errorsJoin(lerr, merr))
		return nil
	}
	s.last, s.max = last, max
	return nil
}

func offsetKey(v any) ([]any, error) {
	s, _ := v.(string)
	return debezium.DecodeKey(s)
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// signalsRead reports whether execute-snapshot and stop-snapshot rows of
// the signalling table are acted on (signal.enabled.channels has source).
func (c *Config) signalsRead() bool {
	return slices.ContainsFunc(c.SignalChannels, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), "source") })
}

// signalRows handles a rows event of the signalling table, the event at
// position at, written by server.
func (tk *Task) signalRows(e *replication.RowsEvent, at binlogPos, server uint32) {
	if closing := tk.inc.closing; !closing {
		defer func() {
			if tk.inc.closing { // as Debezium's, the reads' source is the event that closed the window
				tk.inc.closeAt, tk.inc.closeBy = at, server
			}
		}()
	}
	step := 1
	if e.Type() == replication.EnumRowsEventTypeUpdate {
		step = 2
	}
	for i := step - 1; i < len(e.Rows); i += step {
		row := e.Rows[i]
		if len(row) < 3 {
			continue
		}
		id, typ, data := cellString(row[0]), cellString(row[1]), cellString(row[2])
		switch e.Type() {
		case replication.EnumRowsEventTypeInsert:
			tk.signal(id, typ, data)
		case replication.EnumRowsEventTypeDelete:
			// insert_delete: the low watermark's delete is the high watermark.
			if typ == debezium.SignalWindowOpen && tk.cfg.Watermarking == "insert_delete" {
				tk.signal(strings.TrimSuffix(id, "-open")+"-close", debezium.SignalWindowClose, "")
			}
		}
	}
}

func cellString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return ""
}

// signal applies one signal row.
func (tk *Task) signal(id, typ, data string) {
	s := &tk.inc
	switch typ {
	case debezium.SignalWindowOpen:
		s.win.Open(id)
	case debezium.SignalWindowClose:
		if rows, ok := s.win.Close(id); ok {
			s.closed, s.closing = rows, true
		}
	default:
		if tk.cfg.signalsRead() {
			debezium.Dispatch(tk.cfg.prefix(), debezium.Signal{ID: id, Type: typ, Data: data, Channel: "source"}, signalTarget{tk})
		}
	}
}

// queueSnapshot adds the captured tables a signal names (exact names or
// regular expressions) that are not queued yet, with their additional
// conditions.
func (tk *Task) queueSnapshot(id string, req debezium.SnapshotRequest) {
	s := &tk.inc
	for _, name := range req.Collections {
		found := false
		for _, t := range tk.tables {
			full := t.String()
			if !matchName(name, full) {
				continue
			}
			found = true
			if !slices.Contains(s.queue, full) {
				s.queue = append(s.queue, full)
				s.setCondition(full, req.Condition(full))
			}
		}
		if !found {
			slog.Warn("mysql cdc: execute-snapshot names a table that is not captured; check table.include.list", "signal", id, "table", name)
		}
	}
}

func matchName(pattern, name string) bool {
	if strings.EqualFold(pattern, name) {
		return true
	}
	return newFilterPattern(pattern).MatchString(name)
}

// stopSnapshot removes tables from the queue (all of them when names is
// empty), as Debezium's stop-snapshot.
func (tk *Task) stopSnapshot(names []string) {
	s := &tk.inc
	if len(names) == 0 {
		*s = incSnapshot{sig: s.sig}
		return
	}
	keep := s.queue[:0:0]
	for i, q := range s.queue {
		if slices.ContainsFunc(names, func(n string) bool { return matchName(n, q) }) {
			delete(s.conds, q)
			if i == 0 {
				s.last, s.max, s.chunk = nil, nil, nil
				s.win.Reset()
			}
			continue
		}
		keep = append(keep, q)
	}
	s.queue = keep
}

// schemaChanged drops the open window when a DDL changes the table it reads:
// its rows were read with the old definition; the chunk is read again.
func (s *incSnapshot) schemaChanged(tables []string) {
	if s.running() && s.win.Pending() && slices.Contains(tables, s.queue[0]) {
		s.win.Reset()
		s.closed, s.closing = nil, false
	}
}

// closeWindow returns the reads of the window the committed transaction
// closed, with offsets at the position after it, and advances the
// snapshot past the chunk.
func (tk *Task) closeWindow() []*connectors.Record {
	s := &tk.inc
	if !s.closing {
		return nil
	}
	rows := s.closed
	s.closed, s.closing = nil, false
	if !s.running() {
		return nil
	}
	if s.ends {
		s.next()
	} else {
		s.last = s.chunk
	}
	st := &tk.stream
	rp := restartPoint{at: st.at(), gtids: st.gtids.String(), tsSec: tk.clock().Unix()}
	for _, r := range rows {
		r.SourceOffset = s.store(rp.offset())
		if s.closeAt.file != "" {
			env := r.Value.(*connectors.Struct)
			src, _ := env.Get("source")
			src.(*connectors.Struct).Set(10, int64(s.closeBy))
			src.(*connectors.Struct).Set(12, s.closeAt.file)
			src.(*connectors.Struct).Set(13, int64(s.closeAt.pos))
		}
	}
	s.closeAt, s.closeBy = binlogPos{}, 0
	return rows
}

// startIncrementalInitial begins the initial snapshot as an incremental
// one: streaming from the current position with every captured table
// queued, when each has a primary key.
func (tk *Task) startIncrementalInitial() (bool, error) {
	if tk.cfg.SignalTable == "" || tk.cfg.SnapshotMode != SnapshotInitial {
		return false, nil
	}
	for _, t := range tk.tables {
		if len(t.keyCols) == 0 {
			slog.Warn("mysql cdc: a captured table has no primary key; the initial snapshot is read in one transaction, not in watermarked chunks", "table", t.String())
			return false, nil
		}
	}
	at, gtids, err := tk.masterStatus()
	if err != nil {
		return true, err
	}
	tk.stream.start = restartPoint{at: at, gtids: gtids, tsSec: tk.clock().Unix()}
	tk.streaming = true
	tk.inc = incSnapshot{initial: true}
	for _, t := range tk.tables {
		tk.inc.queue = append(tk.inc.queue, t.String())
	}
	tk.pending, err = tk.seedHistory(tk.stream.start, "true")
	for _, r := range tk.pending {
		tk.inc.store(r.SourceOffset)
	}
	return true, err
}
