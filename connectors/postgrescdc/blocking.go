package postgrescdc

import (
	"context"
	"log/slog"
	"maps"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// blockingState is a blocking snapshot in progress and the streaming
// offset where streaming stopped (nil until it has).
type blockingState struct {
	*debezium.Blocking
	held map[string]any
}

// OffsetBlocking is the offset key of a blocking snapshot in progress.
const OffsetBlocking = debezium.OffsetBlocking

// requestBlocking queues a blocking snapshot of the captured, keyed tables
// req names.
func (tk *Task) requestBlocking(id string, req debezium.SnapshotRequest) {
	if tk.blk != nil {
		slog.Warn("postgres cdc: a blocking snapshot is already running; signal ignored", "signal", id)
		return
	}
	names := make([]string, len(tk.tables))
	for i, t := range tk.tables {
		names[i] = t.String()
	}
	keyed := func(n string) bool { t := tk.tableNamed(n); return t != nil && len(t.keyCols) > 0 }
	if b := debezium.NewBlocking(tk.cfg.TopicPrefix, id, req, names, keyed); b != nil {
		tk.blk = &blockingState{Blocking: b}
	}
}

// restoreBlocking reads a blocking snapshot in progress from the offset,
// whose stream position is where streaming resumes.
func (tk *Task) restoreBlocking(off map[string]any) error {
	b, err := debezium.DecodeBlocking(off)
	if err != nil || b == nil {
		return err
	}
	held := maps.Clone(off)
	delete(held, OffsetBlocking)
	tk.blk = &blockingState{Blocking: b, held: held}
	return nil
}

// heldOffset is the streaming offset between transactions, after the last
// one decoded (as a heartbeat's: no commit record starts at its LSN, so
// nothing after it is skipped on resume); before any, the committed one.
func (tk *Task) heldOffset() map[string]any {
	s := &tk.stream
	if s.pending == 0 {
		off := maps.Clone(tk.inc.startOff)
		if off == nil {
			off = map[string]any{OffsetLSN: int64(s.start), OffsetLSNProc: int64(s.start), OffsetLSNCommit: int64(s.start)}
		}
		delete(off, OffsetBlocking)
		return off
	}
	at := int64(s.pending - 1)
	off := map[string]any{OffsetLSN: at, OffsetLSNProc: at, OffsetLSNCommit: at, OffsetTsUsec: time.Now().UnixMicro(),
		OffsetTxEnd: int64(s.pending)}
	if s.lastFinal != 0 {
		off[OffsetLastCommit] = int64(s.lastFinal)
	}
	return off
}

// blockingPoll reads the next chunk of the blocking snapshot; the last
// record's offset is the held stream position alone, so streaming resumes
// there.
func (tk *Task) blockingPoll(ctx context.Context) ([]*connectors.Record, error) {
	b := tk.blk
	if b.held == nil {
		b.held = tk.heldOffset()
	}
	for len(b.Tables) > 0 {
		t := tk.tableNamed(b.Tables[0])
		if t == nil || len(t.keyCols) == 0 {
			b.Next()
			continue
		}
		start := b.After == nil
		rows, err := tk.selectRows(ctx, t, b.After, nil, tk.cfg.SnapshotFetch+1, false, b.Condition())
		if err != nil && b.Condition() == "" {
			return nil, err
		}
		if err != nil {
			slog.Error("postgres cdc: the additional condition of a blocking snapshot fails; the table is skipped",
				"table", b.Tables[0], "filter", b.Condition(), "error", err)
			rows = nil
		}
		more := len(rows) > tk.cfg.SnapshotFetch
		if more {
			rows = rows[:tk.cfg.SnapshotFetch]
		}
		recs := make([]*connectors.Record, 0, len(rows))
		now := time.Now()
		for i, r := range rows {
			after, err := t.row(r.vals, nil)
			if err != nil {
				return nil, err
			}
			mark := "true"
			if i == 0 && start {
				mark = "first_in_data_collection"
				if !b.Emitted {
					mark = "first"
				}
			}
			b.Emitted, b.After = true, r.key
			ev := tk.events(nil, t, debezium.OpRead, nil, after, position{commitTime: now, snapshot: mark})[0]
			ev.SourceOffset = tk.blockingOffset()
			recordSource(ev).Set(srcTxID, nil) // read outside the stream: no transaction or LSN
			recordSource(ev).Set(srcLSN, nil)
			recs = append(recs, ev)
		}
		if !more {
			b.Next()
			if len(recs) > 0 {
				setSnapshotMark(recs[len(recs)-1], "last_in_data_collection")
				recs[len(recs)-1].SourceOffset = tk.blockingOffset()
			}
		}
		if len(recs) == 0 {
			continue
		}
		if len(b.Tables) == 0 {
			last := recs[len(recs)-1]
			setSnapshotMark(last, "last")
			last.SourceOffset = maps.Clone(b.held)
			tk.inc.stamp(last.SourceOffset)
			tk.blk = nil
		}
		return recs, nil
	}
	tk.blk = nil
	return nil, nil
}

// blockingOffset is the held stream position with the snapshot's state.
func (tk *Task) blockingOffset() map[string]any {
	off := maps.Clone(tk.blk.held)
	tk.inc.stamp(off)
	off[OffsetBlocking] = tk.blk.Encode()
	return off
}
