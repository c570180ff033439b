package postgrescdc

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/jackc/pgx/v5"
)

// snapshotState is where the chunked snapshot stands.
type snapshotState struct {
	active     bool
	table      int      // index into Task.tables
	after      []string // text of the last key read (or a ctid), nil at a table's start
	consistent uint64   // the slot's LSN when the snapshot began: streaming starts there
	emitted    bool     // a snapshot record was returned (the next is not the first)
}

// resumeSnapshot restores the snapshot position from an offset written by an
// interrupted snapshot.
func (tk *Task) resumeSnapshot(off map[string]any, consistent uint64) {
	tk.snap = snapshotState{active: true, consistent: consistent, emitted: true}
	name, _ := off[OffsetSnapshotTable].(string)
	for i, t := range tk.tables {
		if t.String() == name {
			tk.snap.table = i
			if raw, ok := off[OffsetSnapshotAfter].(string); ok {
				_ = json.Unmarshal([]byte(raw), &tk.snap.after)
			}
		}
	}
}

// snapshotChunk reads the next chunk (snapshot.fetch.size rows) in key
// order, moving to the next table when one is done. Records are marked as
// Debezium marks them in source.snapshot: "first" (the snapshot's first
// record), "first_in_data_collection" and "last_in_data_collection" (a
// table's first and last), "last" (the snapshot's last), else "true".
func (tk *Task) snapshotChunk(ctx context.Context) ([]*connectors.Record, error) {
	for tk.snap.table < len(tk.tables) {
		t := tk.tables[tk.snap.table]
		recs, full, err := tk.readChunk(ctx, t)
		if err != nil {
			return nil, err
		}
		if !full {
			tk.snap.table++
			tk.snap.after = nil
			if len(recs) > 0 {
				last, err := tk.restEmpty(ctx)
				if err != nil {
					return nil, err
				}
				if last {
					tk.markLast(recs[len(recs)-1])
					tk.snap.active = false
				}
			}
		}
		if len(recs) > 0 {
			return recs, nil
		}
	}
	tk.snap.active = false
	return nil, nil
}

// outputFunc are the types whose ::text differs from their output function.
var outputFunc = map[uint32]string{oidBPChar: "bpcharout", oidInet: "inet_out"}

// readChunk reads one chunk of t after tk.snap.after; full says it was a whole chunk.
func (tk *Task) readChunk(ctx context.Context, t *table) ([]*connectors.Record, bool, error) {
	var sel, order []string
	for _, f := range t.value.Fields {
		col := "ferry_t." + pgx.Identifier{f.Name}.Sanitize()
		if c := t.column(f.Name); c != nil && outputFunc[c.oid] != "" {
			// The type's output, as pgoutput sends it: ::text drops char(n)'s
			// padding and adds an inet host's /32.
			col = "textin(" + outputFunc[c.oid] + "(" + col + "))"
		} else {
			col += "::text"
		}
		sel = append(sel, col)
	}
	byCtid := len(t.keyCols) == 0
	if byCtid {
		sel = append(sel, "ferry_t.ctid::text")
		order = []string{"ferry_t.ctid"}
	} else {
		for _, c := range t.keyCols {
			// Qualified: a bare name would sort by the ::text output column.
			order = append(order, "ferry_t."+pgx.Identifier{c.name}.Sanitize())
		}
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + pgx.Identifier{t.schema, t.name}.Sanitize() + " AS ferry_t"
	var args []any
	if tk.snap.after != nil {
		ph := make([]string, len(tk.snap.after))
		for i, v := range tk.snap.after {
			typ := "tid"
			if !byCtid {
				typ = t.keyCols[i].typeName
			}
			ph[i] = fmt.Sprintf("$%d::%s", i+1, typ)
			args = append(args, v)
		}
		q += " WHERE (" + strings.Join(order, ", ") + ") > (" + strings.Join(ph, ", ") + ")"
	}
	// One row more than a chunk: it tells whether the chunk ends the table.
	q += " ORDER BY " + strings.Join(order, ", ") + fmt.Sprintf(" LIMIT %d", tk.cfg.SnapshotFetch+1)
	rows, err := tk.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("%w: snapshot of %s: %v", ErrTable, t, err)
	}
	defer rows.Close()
	now := time.Now()
	var recs []*connectors.Record
	tableStart := tk.snap.after == nil
	n := 0
	for rows.Next() {
		n++
		if n > tk.cfg.SnapshotFetch {
			break
		}
		texts := make([]*string, len(sel))
		ptrs := make([]any, len(sel))
		for i := range texts {
			ptrs[i] = &texts[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, false, fmt.Errorf("%w: snapshot of %s: %v", ErrTable, t, err)
		}
		vals := make(map[string]*string, len(t.value.Fields))
		for i, f := range t.value.Fields {
			vals[f.Name] = texts[i]
		}
		after, err := t.row(vals, nil)
		if err != nil {
			return nil, false, err
		}
		tk.snap.after = tk.snap.after[:0]
		if byCtid {
			tk.snap.after = append(tk.snap.after, *texts[len(texts)-1])
		} else {
			for _, c := range t.keyCols {
				tk.snap.after = append(tk.snap.after, *vals[c.name])
			}
		}
		mark := "true"
		if n == 1 && tableStart {
			mark = "first_in_data_collection"
		}
		if !tk.snap.emitted {
			mark = "first"
		}
		tk.snap.emitted = true
		p := position{lsn: tk.snap.consistent, commitTime: now, snapshot: mark}
		ev := tk.events(t, "r", nil, after, p)[0]
		afterJSON, _ := json.Marshal(tk.snap.after)
		ev.SourceOffset[OffsetSnapshotTable] = t.String()
		ev.SourceOffset[OffsetSnapshotAfter] = string(afterJSON)
		recs = append(recs, ev)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("%w: snapshot of %s: %v", ErrTable, t, err)
	}
	full := n > tk.cfg.SnapshotFetch
	if last := len(recs) - 1; !full && last >= 0 {
		if snapshotMark(recs[last]) != "first" {
			setSnapshotMark(recs[last], "last_in_data_collection")
		}
	}
	return recs, full, nil
}

// restEmpty reports whether every table after the current one is empty.
func (tk *Task) restEmpty(ctx context.Context) (bool, error) {
	for _, t := range tk.tables[tk.snap.table:] {
		var one int
		err := tk.conn.QueryRow(ctx, "SELECT 1 FROM "+pgx.Identifier{t.schema, t.name}.Sanitize()+" LIMIT 1").Scan(&one)
		if err == nil {
			return false, nil
		}
		if err != pgx.ErrNoRows {
			return false, fmt.Errorf("%w: snapshot of %s: %v", ErrTable, t, err)
		}
	}
	return true, nil
}

// markLast makes r the snapshot's last record: source.snapshot "last" and
// last_snapshot_record true.
func (tk *Task) markLast(r *connectors.Record) {
	setSnapshotMark(r, "last")
	r.SourceOffset[OffsetLastSnapshot] = true
	delete(r.SourceOffset, OffsetSnapshotTable)
	delete(r.SourceOffset, OffsetSnapshotAfter)
}

func recordSource(r *connectors.Record) *connectors.Struct {
	src, _ := r.Value.(*connectors.Struct).Get("source")
	return src.(*connectors.Struct)
}

func snapshotMark(r *connectors.Record) any {
	v, _ := recordSource(r).Get("snapshot")
	return v
}

func setSnapshotMark(r *connectors.Record, mark string) { recordSource(r).Set(srcSnapshot, mark) }
