package jdbcsink

import (
	"context"
	"fmt"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

// batch is rows of one shape and operation, run as one statement (inserts,
// upserts) or one prepared statement per row (updates, deletes).
type batch struct {
	sh   *shape
	op   string
	rows [][]any
	recs []*connectors.Record
	// at indexes upsert rows by key, so a later record of a key replaces an
	// earlier one in the same statement (a row may be upserted once).
	at map[string]int
}

func newBatch(sh *shape, op string) *batch {
	return &batch{sh: sh, op: op, at: map[string]int{}}
}

func (b *batch) add(r *connectors.Record, row []any) {
	if b.op == opUpsert {
		k := keyText(row, len(b.sh.keys))
		if i, ok := b.at[k]; ok {
			b.rows[i], b.recs[i] = row, r
			return
		}
		b.at[k] = len(b.rows)
	}
	b.rows = append(b.rows, row)
	b.recs = append(b.recs, r)
}

// run writes the batch inside a savepoint; when the database refuses it for
// a record fault, it is rolled back to the savepoint and written row by row
// to find and reject the faulty records.
func (t *Task) run(ctx context.Context, b *batch) ([]connectors.RejectedRecord, error) {
	if err := t.prepareTable(ctx, b.sh); err != nil {
		return nil, err
	}
	tx, err := t.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT ferry_batch"); err != nil {
		return nil, t.dbError("setting a savepoint", err)
	}
	err = t.exec(ctx, b.sh, b.op, b.rows)
	if err == nil {
		t.written = append(t.written, b.recs...)
		_, err = tx.ExecContext(ctx, "RELEASE SAVEPOINT ferry_batch")
		return nil, t.dbErrorIf("releasing a savepoint", err)
	}
	if !recordFault(err) {
		return nil, t.dbError(fmt.Sprintf("writing %d rows to %s", len(b.rows), b.sh.table), err)
	}
	if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT ferry_batch"); rerr != nil {
		return nil, t.dbError("rolling back to a savepoint", rerr)
	}
	return t.rowByRow(ctx, b)
}

func (t *Task) rowByRow(ctx context.Context, b *batch) ([]connectors.RejectedRecord, error) {
	var rejected []connectors.RejectedRecord
	for i, row := range b.rows {
		if _, err := t.tx.ExecContext(ctx, "SAVEPOINT ferry_row"); err != nil {
			return rejected, t.dbError("setting a savepoint", err)
		}
		err := t.exec(ctx, b.sh, b.op, [][]any{row})
		if err == nil {
			t.written = append(t.written, b.recs[i])
			continue
		}
		if !recordFault(err) {
			return rejected, t.dbError(fmt.Sprintf("writing a row to %s", b.sh.table), err)
		}
		if _, rerr := t.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT ferry_row"); rerr != nil {
			return rejected, t.dbError("rolling back to a savepoint", rerr)
		}
		r := b.recs[i]
		rejected = append(rejected, connectors.RejectedRecord{Record: r, Err: fmt.Errorf("%w: table %s refused the row of topic %s partition %d offset %d: %v",
			ErrRecord, b.sh.table, r.Topic, r.Partition, r.Offset, err)})
	}
	return rejected, nil
}

// exec runs rows as one multi-row statement, or row by row for updates and deletes.
func (t *Task) exec(ctx context.Context, sh *shape, op string, rows [][]any) error {
	switch op {
	case opInsert, opUpsert:
		args := make([]any, 0, len(rows)*len(rows[0]))
		for _, r := range rows {
			args = append(args, r...)
		}
		_, err := t.tx.ExecContext(ctx, t.insertSQL(sh, op, len(rows)), args...)
		return err
	}
	query := t.deleteSQL(sh)
	if op == opUpdate {
		query = t.updateSQL(sh)
	}
	stmt, err := t.tx.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer stmt.Close()
	nk := len(sh.keys)
	for _, r := range rows {
		args := r[:nk]
		if op == opUpdate {
			args = append(append([]any(nil), r[nk:]...), r[:nk]...)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// prepareTable creates or widens the table before rows are written. On
// MySQL and MariaDB a DDL statement commits the open transaction, so the
// DDL runs first, committing what was written (the one case where an
// invocation commits rows before Flush).
func (t *Task) prepareTable(ctx context.Context, sh *shape) error {
	if t.checked[sh.table.String()] {
		return nil
	}
	if t.dialect == dialect.PostgreSQL {
		tx, err := t.begin(ctx)
		if err != nil {
			return err
		}
		return t.ensureTable(ctx, tx, sh)
	}
	if t.tx != nil {
		if err := t.tx.Commit(); err != nil {
			t.tx = nil
			return connectors.Retriable(fmt.Errorf("jdbc sink: committing before a table change on %s: %w", t.url, err))
		}
		t.tx, t.written = nil, nil
	}
	return t.ensureTable(ctx, t.db, sh)
}

func (t *Task) dbErrorIf(what string, err error) error {
	if err == nil {
		return nil
	}
	return t.dbError(what, err)
}
