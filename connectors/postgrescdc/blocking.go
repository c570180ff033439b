package postgrescdc

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// OffsetBlocking (ferry's) holds a blocking snapshot in progress: the
// tables left, their additional conditions and the last key read. The
// offset's LSNs stay at the stream position the signal stopped streaming
// at, so streaming resumes there once the snapshot ends.
const OffsetBlocking = "ferry_blocking_snapshot"

// blockingState is a blocking snapshot (execute-snapshot of type
// blocking): streaming stops after the signal's transaction, the tables
// are read in key chunks (snapshot.fetch.size rows) across invocations,
// then streaming resumes where it stopped, as Debezium's pauses streaming
// for a snapshot and resumes it.
type blockingState struct {
	Tables  []string          `json:"tables"`
	Conds   map[string]string `json:"conditions,omitempty"`
	After   []string          `json:"after,omitempty"` // key text of the last row read of Tables[0]
	Emitted bool              `json:"emitted,omitempty"`
	held    map[string]any    // the streaming offset where streaming stopped; nil until it has
}

// requestBlocking queues a blocking snapshot of the captured, keyed tables
// req names.
func (tk *Task) requestBlocking(id string, req debezium.SnapshotRequest) {
	if tk.blk != nil {
		slog.Warn("postgres cdc: a blocking snapshot is already running; signal ignored", "signal", id)
		return
	}
	b := &blockingState{}
	for _, t := range tk.tables {
		full := t.String()
		if !matchesAny(req.Collections, full) {
			continue
		}
		if len(t.keyCols) == 0 {
			slog.Warn("postgres cdc: a blocking snapshot skips a table without a primary key", "signal", id, "table", full)
			continue
		}
		b.Tables = append(b.Tables, full)
		if c := req.Condition(full); c != "" {
			if b.Conds == nil {
				b.Conds = map[string]string{}
			}
			b.Conds[full] = c
		}
	}
	if len(b.Tables) == 0 {
		slog.Warn("postgres cdc: a blocking snapshot names no captured table with a primary key; check table.include.list", "signal", id, "tables", req.Collections)
		return
	}
	tk.blk = b
}

func matchesAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if re, err := regexp.Compile("^(?:" + p + ")$"); p == name || err == nil && re.MatchString(name) {
			return true
		}
	}
	return false
}

// restoreBlocking reads a blocking snapshot in progress from the offset,
// whose stream position is where streaming resumes.
func (tk *Task) restoreBlocking(off map[string]any) error {
	raw, _ := off[OffsetBlocking].(string)
	if raw == "" {
		return nil
	}
	var b blockingState
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		return fmt.Errorf("postgres cdc offset %s = %q: %w; reset the connector's offsets", OffsetBlocking, raw, err)
	}
	b.held = maps.Clone(off)
	delete(b.held, OffsetBlocking)
	tk.blk = &b
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
			b.Tables, b.After = b.Tables[1:], nil
			continue
		}
		start := b.After == nil
		rows, err := tk.selectRows(ctx, t, b.After, nil, tk.cfg.SnapshotFetch+1, false, b.Conds[b.Tables[0]])
		if err != nil && b.Conds[b.Tables[0]] == "" {
			return nil, err
		}
		if err != nil {
			slog.Error("postgres cdc: the additional condition of a blocking snapshot fails; the table is skipped",
				"table", b.Tables[0], "filter", b.Conds[b.Tables[0]], "error", err)
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
			recs = append(recs, ev)
		}
		if !more {
			b.Tables, b.After = b.Tables[1:], nil
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
	enc, _ := json.Marshal(tk.blk)
	off[OffsetBlocking] = string(enc)
	return off
}
