package jdbc

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// scan reads up to limit rows into records and closes rows.
func (q *querier) scan(rows *sql.Rows, limit int) ([]*connectors.Record, error) {
	defer rows.Close()
	recs, err := q.scanOpen(rows, limit)
	if err != nil {
		return nil, err
	}
	return recs, rows.Err()
}

// scanOpen reads up to limit rows into records, leaving rows open.
func (q *querier) scanOpen(rows *sql.Rows, limit int) ([]*connectors.Record, error) {
	vals := make([]any, len(q.cols))
	ptrs := make([]any, len(q.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var recs []*connectors.Record
	for len(recs) < limit && rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("reading a row of %s: %w", q.name(), err)
		}
		st := connectors.NewStruct(q.schema)
		for i, c := range q.cols {
			v, err := convert(c, vals[i], q.t.loc)
			if err != nil {
				return nil, fmt.Errorf("%s column %s (%s): %w", q.name(), c.name, c.typeName, err)
			}
			st.Set(i, v)
		}
		recs = append(recs, q.record(st))
	}
	return recs, rows.Err()
}

// record wraps one row with its topic, partition and offset.
func (q *querier) record(st *connectors.Struct) *connectors.Record {
	var off map[string]any
	switch q.t.cfg.Mode {
	case ModeBulk:
		// Confluent's bulk mode commits no offset: every pass reads everything.
		return connectors.NewSourceRecord(nil, nil, q.topic, q.schema, st)
	case ModeIncrementing:
		off = map[string]any{OffsetIncrementing: q.incOf(st)}
	case ModeTimestamp:
		off = tsOffset(q.tsOf(st))
	case ModeTimestampIncrementing:
		off = tsOffset(q.tsOf(st))
		off[OffsetIncrementing] = q.incOf(st)
	}
	return connectors.NewSourceRecord(q.partition, off, q.topic, q.schema, st)
}

func tsOffset(t time.Time) map[string]any {
	return map[string]any{OffsetTimestamp: t.UnixMilli(), OffsetTimestampNano: int64(t.Nanosecond())}
}

func (q *querier) incOf(st *connectors.Struct) int64 {
	v, _ := st.Get(q.inc.name)
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	case connectors.Decimal:
		return x.Unscaled.Int64()
	}
	return q.lastInc
}

// tsOf is the row's timestamp: the first non-null timestamp column.
func (q *querier) tsOf(st *connectors.Struct) time.Time {
	for _, c := range q.ts {
		if v, _ := st.Get(c.name); v != nil {
			return v.(time.Time)
		}
	}
	return q.lastTS
}

func (q *querier) rowTS(r *connectors.Record) time.Time { return q.tsOf(r.Value.(*connectors.Struct)) }

// advance moves the querier's position to the last record's.
func (q *querier) advance(recs []*connectors.Record) {
	if len(recs) == 0 {
		return
	}
	st := recs[len(recs)-1].Value.(*connectors.Struct)
	if q.inc != nil {
		q.lastInc = q.incOf(st)
	}
	if len(q.ts) > 0 {
		q.lastTS = q.tsOf(st)
	}
}

// queryColumns learns the query's columns from an empty execution.
func (t *Task) queryColumns(ctx context.Context) ([]*column, error) {
	rows, err := t.db.QueryContext(ctx, "SELECT * FROM ("+t.cfg.Query+") ferry_q WHERE 1 = 0")
	if err != nil {
		return nil, fmt.Errorf("running query %q: %w; fix query", t.cfg.Query, err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("reading the columns of query %q: %w", t.cfg.Query, err)
	}
	cols := make([]*column, len(types))
	for i, ct := range types {
		c := &column{name: ct.Name(), precision: -1, scale: -1, length: -1, nullable: true}
		name := strings.ToLower(ct.DatabaseTypeName())
		if rest, ok := strings.CutPrefix(name, "unsigned "); ok {
			name, c.colType = rest, rest+" unsigned"
		}
		c.typeName = name
		if p, s, ok := ct.DecimalSize(); ok {
			c.precision, c.scale = p, s
		}
		if n, ok := ct.Length(); ok {
			c.length = n
		}
		mapColumn(c, t.d, t.cfg.numericMapping())
		cols[i] = c
	}
	return cols, nil
}
