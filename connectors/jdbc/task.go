package jdbc

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

// Task copies its tables (or the query) for one invocation.
type Task struct {
	cfg      Config
	d        *dialect.Dialect
	db       *sql.DB
	loc      *time.Location
	quoting  dialect.Quoting
	queriers []*querier
	next     int
}

// NewTask returns an unopened task.
func NewTask() *Task { return &Task{} }

// Open connects, reads each table's columns, checks the mode's columns and
// restores every table's offset. A missing table or column fails here.
func (t *Task) Open(ctx context.Context, props map[string]string, offsets connectors.OffsetReader) error {
	cfg, err := parseConfig(props)
	if err != nil {
		return err
	}
	t.cfg = cfg
	t.loc, _ = time.LoadLocation(cfg.DBTimezone)
	t.quoting = dialect.ParseQuoting(cfg.QuoteIdentifiers)
	u, err := cfg.connURL()
	if err != nil {
		return err
	}
	if t.d = u.Dialect; cfg.DialectName != "" {
		t.d = dialect.ByName(cfg.DialectName)
	}
	if t.db, err = dialect.Open(ctx, u); err != nil {
		return err
	}
	now, err := t.dbNow(ctx)
	if err != nil {
		return err
	}
	if cfg.Query != "" {
		return t.openQuery(ctx, offsets, now)
	}
	for _, name := range strings.Split(props[TablesKey], ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		q, err := t.openTable(ctx, t.d.ParseTableID(name))
		if err != nil {
			return err
		}
		if err := q.restore(offsetOf(offsets, q.partition), now); err != nil {
			return err
		}
		t.queriers = append(t.queriers, q)
	}
	return nil
}

func offsetOf(r connectors.OffsetReader, partition map[string]any) map[string]any {
	if r == nil {
		return nil
	}
	return r.Offset(partition)
}

func (t *Task) openTable(ctx context.Context, id dialect.TableID) (*querier, error) {
	cols, err := loadColumns(ctx, t.db, t.d, id, t.cfg.numericMapping())
	if err != nil {
		return nil, err
	}
	q := &querier{t: t, table: id, topic: t.cfg.TopicPrefix + id.Name,
		partition: map[string]any{PartitionTableKey: id.Name}, from: t.d.QuoteTable(id, t.quoting)}
	if err := q.setColumns(id.String(), cols); err != nil {
		return nil, err
	}
	q.schema = valueSchema(id.Name, q.cols)
	q.build()
	return q, nil
}

// openQuery runs the query once to learn its columns (query mode).
func (t *Task) openQuery(ctx context.Context, offsets connectors.OffsetReader, now time.Time) error {
	q := &querier{t: t, topic: t.cfg.TopicPrefix, partition: map[string]any{PartitionQueryKey: PartitionQueryValue},
		from: "(" + t.cfg.Query + ") ferry_q"}
	cols, err := t.queryColumns(ctx)
	if err != nil {
		return err
	}
	if err := q.setColumns("query", cols); err != nil {
		return err
	}
	q.schema = valueSchema("", q.cols)
	q.build()
	if err := q.restore(offsetOf(offsets, q.partition), now); err != nil {
		return err
	}
	t.queriers = []*querier{q}
	return nil
}

// setColumns keeps the supported columns and finds the mode's columns.
func (q *querier) setColumns(where string, cols []*column) error {
	cfg := &q.t.cfg
	if cfg.Mode == ModeIncrementing || cfg.Mode == ModeTimestampIncrementing {
		name := cfg.IncrementingCol
		if name == "" {
			for _, c := range cols {
				if c.autoInc {
					name = c.name
				}
			}
			if name == "" {
				return fmt.Errorf("%w: %s has no auto-increment column; set incrementing.column.name", ErrTable, where)
			}
		}
		if q.inc = findColumn(cols, name); q.inc == nil {
			return fmt.Errorf("%w: incrementing column %q not found in %s; fix incrementing.column.name or add the column", ErrTable, name, where)
		}
		if k := q.inc.kind; k != kInt8 && k != kInt16 && k != kInt32 && k != kInt64 && !(k == kDecimal && q.inc.decScale == 0) {
			return fmt.Errorf("%w: incrementing column %q of %s has type %s; it must be an integer column", ErrTable, name, where, q.inc.typeName)
		}
		if cfg.ValidateNonNull && q.inc.nullable && q.table.Name != "" {
			return fmt.Errorf("%w: cannot make incremental queries using incrementing column %q on %s because this column is nullable; make it NOT NULL or set validate.non.null=false", ErrTable, name, where)
		}
	}
	if cfg.Mode == ModeTimestamp || cfg.Mode == ModeTimestampIncrementing {
		for _, name := range cfg.TimestampCols {
			c := findColumn(cols, strings.TrimSpace(name))
			if c == nil {
				return fmt.Errorf("%w: timestamp column %q not found in %s; fix timestamp.column.name or add the column", ErrTable, name, where)
			}
			if c.kind != kTimestamp && c.kind != kDate {
				return fmt.Errorf("%w: timestamp column %q of %s has type %s; it must be a timestamp column", ErrTable, name, where, c.typeName)
			}
			if cfg.ValidateNonNull && c.nullable && len(cfg.TimestampCols) == 1 && q.table.Name != "" {
				return fmt.Errorf("%w: cannot make incremental queries using timestamp column %q on %s because this column is nullable; make it NOT NULL or set validate.non.null=false", ErrTable, name, where)
			}
			q.ts = append(q.ts, c)
		}
	}
	q.cols = supported(where, cols)
	return nil
}

// dbNow is the database's clock: Confluent bounds timestamp queries by it.
func (t *Task) dbNow(ctx context.Context) (time.Time, error) {
	var now time.Time
	q := "SELECT CURRENT_TIMESTAMP"
	if t.d == dialect.MySQL {
		q = "SELECT CURRENT_TIMESTAMP(6)"
	}
	if err := t.db.QueryRowContext(ctx, q).Scan(&now); err != nil {
		return now, fmt.Errorf("reading the database clock: %w", err)
	}
	if t.d == dialect.MySQL {
		now = wallIn(now, time.UTC) // the session runs in UTC
	}
	return now.UTC(), nil
}

// Poll reads the next batch of the next table that has new rows, round
// robin; it returns nothing once every table came up empty in one pass.
func (t *Task) Poll(ctx context.Context) ([]*connectors.Record, error) {
	if len(t.queriers) == 0 {
		return nil, nil
	}
	now, err := t.dbNow(ctx)
	if err != nil {
		return nil, err
	}
	end := now.Add(-time.Duration(t.cfg.DelayMs) * time.Millisecond)
	for range t.queriers {
		q := t.queriers[t.next]
		t.next = (t.next + 1) % len(t.queriers)
		recs, err := q.poll(ctx, end)
		if err != nil {
			return nil, err
		}
		if len(recs) > 0 {
			return recs, nil
		}
	}
	return nil, nil
}

// Close ends open scans and the connection pool.
func (t *Task) Close() error {
	for _, q := range t.queriers {
		q.close()
	}
	if t.db != nil {
		return t.db.Close()
	}
	return nil
}
