package postgrescdc

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
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

// rowText is one row a snapshot query read: the text of each column by
// name, and the text of its key columns (or of its ctid without a key).
type rowText struct {
	vals map[string]*string
	key  []string
}

// selectRows reads up to limit rows of t in key order (ctid order without a
// key): after the key after, up to and including the key upTo when set,
// descending when desc. Values are read as text, as pgoutput sends them.
// filter, when set, is an execute-snapshot signal's additional condition
// (SQL from the signal's sender, see docs/connectors.md).
func (tk *Task) selectRows(ctx context.Context, t *table, after, upTo []string, limit int, desc bool, filter string) ([]rowText, error) {
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
	types := []string{"tid"}
	if byCtid {
		sel = append(sel, "ferry_t.ctid::text")
		order = []string{"ferry_t.ctid"}
	} else {
		types = types[:0]
		for _, c := range t.keyCols {
			// Qualified: a bare name would sort by the ::text output column.
			order = append(order, "ferry_t."+pgx.Identifier{c.name}.Sanitize())
			types = append(types, c.typeName)
		}
	}
	var where []string
	var vals []any
	bound := func(op string, key []string) {
		ph := make([]string, len(key))
		for i, v := range key {
			vals = append(vals, v)
			ph[i] = fmt.Sprintf("$%d::%s", len(vals), types[i])
		}
		where = append(where, "("+strings.Join(order, ", ")+") "+op+" ("+strings.Join(ph, ", ")+")")
	}
	if after != nil {
		bound(">", after)
	}
	if upTo != nil {
		bound("<=", upTo)
	}
	if f := debezium.FilterClause(filter); f != "" {
		where = append(where, f)
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + pgx.Identifier{t.schema, t.name}.Sanitize() + " AS ferry_t"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	dir := ""
	if desc {
		dir = " DESC"
	}
	q += " ORDER BY " + strings.Join(order, dir+", ") + dir + fmt.Sprintf(" LIMIT %d", limit)
	rows, err := tk.conn.Query(ctx, q, vals...)
	if err != nil {
		return nil, fmt.Errorf("%w: snapshot of %s: %v", ErrTable, t, err)
	}
	defer rows.Close()
	var out []rowText
	for rows.Next() {
		texts := make([]*string, len(sel))
		ptrs := make([]any, len(sel))
		for i := range texts {
			ptrs[i] = &texts[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("%w: snapshot of %s: %v", ErrTable, t, err)
		}
		r := rowText{vals: make(map[string]*string, len(t.value.Fields))}
		for i, f := range t.value.Fields {
			r.vals[f.Name] = texts[i]
		}
		if byCtid {
			r.key = []string{*texts[len(texts)-1]}
		} else {
			r.key = t.keyText(r.vals)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: snapshot of %s: %v", ErrTable, t, err)
	}
	return out, nil
}

// keyText is the text of the key columns in vals (nil when one is missing).
func (t *table) keyText(vals map[string]*string) []string {
	key := make([]string, len(t.keyCols))
	for i, c := range t.keyCols {
		v := vals[c.name]
		if v == nil {
			return nil
		}
		key[i] = *v
	}
	return key
}

// readChunk reads one chunk of t after tk.snap.after; full says it was a whole chunk.
func (tk *Task) readChunk(ctx context.Context, t *table) ([]*connectors.Record, bool, error) {
	// One row more than a chunk: it tells whether the chunk ends the table.
	rows, err := tk.selectRows(ctx, t, tk.snap.after, nil, tk.cfg.SnapshotFetch+1, false, "")
	if err != nil {
		return nil, false, err
	}
	full := len(rows) > tk.cfg.SnapshotFetch
	if full {
		rows = rows[:tk.cfg.SnapshotFetch]
	}
	now := time.Now()
	var recs []*connectors.Record
	tableStart := tk.snap.after == nil
	for n, r := range rows {
		after, err := t.row(r.vals, nil)
		if err != nil {
			return nil, false, err
		}
		tk.snap.after = r.key
		mark := "true"
		if n == 0 && tableStart {
			mark = "first_in_data_collection"
		}
		if !tk.snap.emitted && tk.snap.table == 0 { // as Debezium: only the first table's first row (an empty first table: none)
			mark = "first"
		}
		tk.snap.emitted = true
		p := position{lsn: tk.snap.consistent, commitTime: now, snapshot: mark}
		ev := tk.events(nil, t, "r", nil, after, p)[0]
		afterJSON, _ := json.Marshal(tk.snap.after)
		ev.SourceOffset[OffsetSnapshotTable] = t.String()
		ev.SourceOffset[OffsetSnapshotAfter] = string(afterJSON)
		recs = append(recs, ev)
	}
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
