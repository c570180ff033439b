package jdbc

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

// Keys of the source partition and offset, as Confluent's connector writes
// them (OffsetProtocols, TimestampIncrementingOffset).
const (
	PartitionTableKey   = "table"
	PartitionQueryKey   = "query"
	PartitionQueryValue = "query"
	OffsetIncrementing  = "incrementing"
	OffsetTimestamp     = "timestamp"
	OffsetTimestampNano = "timestamp_nanos"
)

// querier reads one table (or the query) from its offset onwards.
type querier struct {
	t         *Task
	table     dialect.TableID // zero in query mode
	topic     string
	partition map[string]any
	cols      []*column
	schema    *connectors.Schema
	inc       *column
	ts        []*column
	from      string // FROM target: quoted table or (query) ferry_q
	sql       string // the query with placeholders, built once

	lastInc int64
	lastTS  time.Time
	bulk    *sql.Rows // bulk mode: the open full scan
	done    bool      // bulk mode: the table was read in this invocation
}

// restore sets the starting point from the committed offset (or the
// beginning: incrementing -1, timestamp.initial).
func (q *querier) restore(off map[string]any, now time.Time) error {
	q.lastInc = -1
	q.lastTS = time.UnixMilli(q.t.cfg.TimestampInitial).UTC()
	if q.t.cfg.TimestampInitial == -1 {
		q.lastTS = now
	}
	if off == nil {
		return nil
	}
	if v, ok := off[OffsetIncrementing]; ok {
		n, err := wholeNumber(v)
		if err != nil {
			return fmt.Errorf("offset of %v: %s: %w; reset the connector's offsets", q.partition, OffsetIncrementing, err)
		}
		q.lastInc = n
	}
	if v, ok := off[OffsetTimestamp]; ok {
		ms, err := wholeNumber(v)
		if err != nil {
			return fmt.Errorf("offset of %v: %s: %w; reset the connector's offsets", q.partition, OffsetTimestamp, err)
		}
		nanos, _ := wholeNumber(off[OffsetTimestampNano])
		sec := int64(math.Floor(float64(ms) / 1000))
		if _, ok := off[OffsetTimestampNano]; !ok {
			nanos = (ms - sec*1000) * 1e6
		}
		q.lastTS = time.Unix(sec, nanos).UTC()
	}
	return nil
}

// wholeNumber reads an integer however the offset store decoded it.
func wholeNumber(v any) (int64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float64:
		if x == math.Trunc(x) {
			return int64(x), nil
		}
	case json.Number:
		return x.Int64()
	}
	return 0, fmt.Errorf("%v (%T) is not a whole number", v, v)
}

// build writes the SELECT for the mode, as Confluent's criteria do.
func (q *querier) build() {
	d, quoting := q.t.d, q.t.quoting
	sel := make([]string, len(q.cols))
	for i, c := range q.cols {
		sel[i] = d.Quote(c.name, quoting)
	}
	s := "SELECT " + strings.Join(sel, ", ") + " FROM " + q.from
	tsExpr := ""
	if len(q.ts) == 1 {
		tsExpr = d.Quote(q.ts[0].name, quoting)
	} else if len(q.ts) > 1 {
		parts := make([]string, len(q.ts))
		for i, c := range q.ts {
			parts[i] = d.Quote(c.name, quoting)
		}
		tsExpr = "COALESCE(" + strings.Join(parts, ", ") + ")"
	}
	var incExpr string
	if q.inc != nil {
		incExpr = d.Quote(q.inc.name, quoting)
	}
	ph := d.Placeholder
	switch q.t.cfg.Mode {
	case ModeIncrementing:
		s += " WHERE " + incExpr + " > " + ph(1) + " ORDER BY " + incExpr + " ASC"
	case ModeTimestamp:
		s += " WHERE " + tsExpr + " > " + ph(1) + " AND " + tsExpr + " < " + ph(2) + " ORDER BY " + tsExpr + " ASC"
	case ModeTimestampIncrementing:
		s += " WHERE " + tsExpr + " < " + ph(1) + " AND ((" + tsExpr + " = " + ph(2) + " AND " + incExpr + " > " + ph(3) + ") OR " +
			tsExpr + " > " + ph(4) + ") ORDER BY " + tsExpr + ", " + incExpr + " ASC"
	}
	if q.t.cfg.QuerySuffix != "" {
		s += " " + q.t.cfg.QuerySuffix
	}
	if q.t.cfg.Mode != ModeBulk {
		s += fmt.Sprintf(" LIMIT %d", q.t.cfg.BatchMaxRows)
	}
	q.sql = s
}

// tsParam is a timestamp as the comparison with the timestamp column needs
// it: an instant for zoned columns, a db.timezone wall clock otherwise.
func (q *querier) tsParam(t time.Time) time.Time {
	if len(q.ts) > 0 && q.ts[0].zoned {
		return t
	}
	return wallOf(t, q.t.loc)
}

// args are the bind values of the next query.
func (q *querier) args(end time.Time) []any {
	switch q.t.cfg.Mode {
	case ModeIncrementing:
		return []any{q.lastInc}
	case ModeTimestamp:
		return []any{q.tsParam(q.lastTS), q.tsParam(end)}
	case ModeTimestampIncrementing:
		last := q.tsParam(q.lastTS)
		return []any{q.tsParam(end), last, q.lastInc, last}
	}
	return nil
}

// poll returns the next rows after the offset, at most batch.max.rows (in
// timestamp mode a batch never ends inside a group of equal timestamps, so
// the offset after it is exact).
func (q *querier) poll(ctx context.Context, end time.Time) ([]*connectors.Record, error) {
	if q.t.cfg.Mode == ModeBulk {
		return q.pollBulk(ctx)
	}
	rows, err := q.t.db.QueryContext(ctx, q.sql, q.args(end)...)
	if err != nil {
		return nil, fmt.Errorf("querying %s: %w", q.name(), err)
	}
	recs, err := q.scan(rows, q.t.cfg.BatchMaxRows)
	if err != nil {
		return nil, err
	}
	if q.t.cfg.Mode == ModeTimestamp && len(recs) == q.t.cfg.BatchMaxRows {
		recs, err = q.wholeGroups(ctx, recs)
		if err != nil {
			return nil, err
		}
	}
	q.advance(recs)
	return recs, nil
}

// wholeGroups trims a full timestamp-mode batch to whole timestamp groups; a
// batch that is one group is completed with every row of that timestamp.
func (q *querier) wholeGroups(ctx context.Context, recs []*connectors.Record) ([]*connectors.Record, error) {
	last := q.rowTS(recs[len(recs)-1])
	cut := len(recs)
	for cut > 0 && q.rowTS(recs[cut-1]).Equal(last) {
		cut--
	}
	if cut > 0 {
		return recs[:cut], nil
	}
	s := strings.Replace(q.sql, fmt.Sprintf(" LIMIT %d", q.t.cfg.BatchMaxRows), "", 1)
	// One group: read every row with exactly that timestamp (> last-1ns, <= last).
	s = strings.Replace(s, " < "+q.t.d.Placeholder(2), " <= "+q.t.d.Placeholder(2), 1)
	rows, err := q.t.db.QueryContext(ctx, s, q.tsParam(last.Add(-time.Nanosecond)), q.tsParam(last))
	if err != nil {
		return nil, fmt.Errorf("querying %s: %w", q.name(), err)
	}
	return q.scan(rows, math.MaxInt)
}

func (q *querier) pollBulk(ctx context.Context) ([]*connectors.Record, error) {
	if q.done {
		return nil, nil
	}
	if q.bulk == nil {
		rows, err := q.t.db.QueryContext(ctx, q.sql)
		if err != nil {
			return nil, fmt.Errorf("querying %s: %w", q.name(), err)
		}
		q.bulk = rows
	}
	recs, err := q.scanOpen(q.bulk, q.t.cfg.BatchMaxRows)
	if err != nil || len(recs) < q.t.cfg.BatchMaxRows {
		q.bulk.Close()
		q.bulk, q.done = nil, true
	}
	return recs, err
}

// name is the table's dotted name, or "query".
func (q *querier) name() string {
	if q.table.Name == "" {
		return "query"
	}
	return "table " + q.table.String()
}

func (q *querier) close() {
	if q.bulk != nil {
		q.bulk.Close()
		q.bulk = nil
	}
}
