package mysqlcdc

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/go-mysql-org/go-mysql/mysql"
)

// OffsetBlocking is the offset key of a blocking snapshot in progress;
// the offset's file and pos stay where streaming stopped.
const OffsetBlocking = debezium.OffsetBlocking

// blockingState is a blocking snapshot in progress (After holds SQL
// literals) and where streaming stopped (nil until it has).
type blockingState struct {
	*debezium.Blocking
	held *restartPoint
}

// requestBlocking queues a blocking snapshot of the captured, keyed tables
// req names.
func (tk *Task) requestBlocking(id string, req debezium.SnapshotRequest) {
	if tk.blk != nil {
		slog.Warn("mysql cdc: a blocking snapshot is already running; signal ignored", "signal", id)
		return
	}
	names := make([]string, len(tk.tables))
	for i, t := range tk.tables {
		names[i] = t.String()
	}
	keyed := func(n string) bool { t := tk.byName[n]; return t != nil && len(t.keyCols) > 0 }
	if b := debezium.NewBlocking(tk.cfg.prefix(), id, req, names, keyed); b != nil {
		tk.blk = &blockingState{Blocking: b}
	}
}

// restoreBlocking reads a blocking snapshot in progress from the offset:
// its stream position is the offset's.
func (tk *Task) restoreBlocking(off map[string]any) error {
	b, err := debezium.DecodeBlocking(off)
	if err != nil || b == nil {
		return err
	}
	held := tk.stream.start
	tk.blk = &blockingState{Blocking: b, held: &held}
	return nil
}

// blockingPoll reads the next chunk of the blocking snapshot; its last
// record's offset is the held stream position alone, so streaming resumes
// there.
func (tk *Task) blockingPoll() ([]*connectors.Record, error) {
	b := tk.blk
	if b.held == nil {
		st := &tk.stream
		b.held = &restartPoint{at: st.at(), gtids: st.gtids.String(), tsSec: tk.clock().Unix()}
	}
	for len(b.Tables) > 0 {
		t := tk.byName[b.Tables[0]]
		if t == nil || len(t.keyCols) == 0 {
			b.Next()
			continue
		}
		recs, more, err := tk.blockingChunk(t)
		if err != nil {
			if b.Condition() == "" {
				return nil, err
			}
			slog.Error("mysql cdc: the additional condition of a blocking snapshot fails; the table is skipped",
				"table", b.Tables[0], "filter", b.Condition(), "error", err)
			more = false
		}
		if !more {
			b.Next()
			if len(recs) > 0 {
				tk.markSnapshot(recs[len(recs)-1], "last_in_data_collection")
			}
		}
		if len(recs) == 0 {
			continue
		}
		if len(b.Tables) == 0 {
			tk.blockingDone(recs[len(recs)-1])
			return recs, nil
		}
		recs[len(recs)-1].SourceOffset[OffsetBlocking] = b.Encode()
		return recs, nil
	}
	tk.blk = nil
	return nil, nil
}

// blockingDone marks the snapshot's last record: its offset resumes
// streaming at the held position.
func (tk *Task) blockingDone(r *connectors.Record) {
	env := r.Value.(*connectors.Struct)
	src, _ := env.Get("source")
	src.(*connectors.Struct).Set(4, "last")
	r.SourceOffset = tk.inc.store(tk.blk.held.offset())
	tk.blk = nil
}

// blockingChunk reads snapshot.fetch.size rows of t after the last key
// read; more says rows are left.
func (tk *Task) blockingChunk(t *table) ([]*connectors.Record, bool, error) {
	b := tk.blk
	sel := make([]string, len(t.cols))
	for i, c := range t.cols {
		sel[i] = ident(c.name)
	}
	keys := keyList(t)
	var where []string
	if b.After != nil {
		where = append(where, keyBound(keys, b.After, ">"))
	}
	if f := debezium.FilterClause(b.Condition()); f != "" {
		where = append(where, f)
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + ident(t.db) + "." + ident(t.name)
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY " + strings.Join(keys, ", ") + fmt.Sprintf(" LIMIT %d", tk.cfg.SnapshotFetch+1)
	keyIdx := make([]int, 0, len(t.keyCols))
	for _, k := range t.keyCols {
		for i, c := range t.cols {
			if c == k {
				keyIdx = append(keyIdx, i)
			}
		}
	}
	now, n, start := tk.clock(), 0, b.After == nil
	vals := make([]any, len(t.cols))
	var recs []*connectors.Record
	var rowErr error
	var res mysql.Result
	err := tk.conn.ExecuteSelectStreaming(q, &res, func(row []mysql.FieldValue) error {
		if n++; n > tk.cfg.SnapshotFetch || rowErr != nil {
			return nil
		}
		for j := range row {
			vals[j] = row[j].Value()
		}
		after, err := t.row(vals)
		if err != nil {
			rowErr = tk.failOrWarn(err)
			return nil
		}
		trimSnapshotTimestamps(t, after)
		b.After = b.After[:0]
		for _, k := range keyIdx {
			b.After = append(b.After, keyLiteral(keyValue(t.cols[k], vals[k])))
		}
		mark := "true"
		if n == 1 && start {
			mark = "first_in_data_collection"
			if !b.Emitted {
				mark = "first"
			}
		}
		b.Emitted = true
		// Every record's offset holds the snapshot's position: the one
		// committed last says where it resumes.
		off := tk.inc.store(b.held.offset())
		off[OffsetBlocking] = b.Encode()
		si := sourceInfo{db: t.db, table: t.name, when: now, snapshot: mark, at: b.held.at, thread: -1}
		recs = append(recs, debezium.Event(&t.dbz, debezium.Change{Op: debezium.OpRead, After: after, Source: tk.source(si),
			Ts: now, Partition: tk.partition, Offset: off})...)
		return nil
	}, nil)
	if err != nil {
		return nil, false, fmt.Errorf("%w %s: blocking snapshot: %v", ErrTable, t, err)
	}
	return recs, n > tk.cfg.SnapshotFetch, rowErr
}
