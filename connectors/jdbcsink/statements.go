package jdbcsink

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// Operations a batch runs.
const (
	opInsert = "insert"
	opUpsert = "upsert"
	opUpdate = "update"
	opDelete = "delete"
)

// insertKey names a multi-row statement: its shape, operation and rows.
type insertKey struct {
	sh *shape
	op string
	n  int
}

// maxInserts bounds the statements a task keeps (insertSQL).
const maxInserts = 64

// insertSQL is a multi-row INSERT (opInsert) or upsert of n rows. A task
// writes batches of the same size again and again: the statement (150 KB
// for 3,000 rows of 7 columns) is built once and kept, up to maxInserts.
func (t *Task) insertSQL(sh *shape, op string, n int) string {
	k := insertKey{sh, op, n}
	if q, ok := t.inserts[k]; ok {
		return q
	}
	if t.inserts == nil || len(t.inserts) >= maxInserts {
		t.inserts = map[insertKey]string{}
	}
	q := t.buildInsert(sh, op, n)
	t.inserts[k] = q
	return q
}

// buildInsert writes the statement insertSQL keeps.
func (t *Task) buildInsert(sh *shape, op string, n int) string {
	cols := append(append([]column(nil), sh.keys...), sh.values...)
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", t.quoteTable(sh), t.quoteList(cols))
	b.Grow(n * len(cols) * 8)
	p := 1
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(t.dialect.Placeholder(p))
			p++
		}
		b.WriteByte(')')
	}
	if op == opUpsert {
		b.WriteString(t.upsertClause(sh))
	}
	return b.String()
}

// upsertClause is ON CONFLICT ... DO UPDATE (PostgreSQL) or ON DUPLICATE KEY
// UPDATE (MySQL, MariaDB), as Confluent's dialects build them.
func (t *Task) upsertClause(sh *shape) string {
	sets := make([]string, len(sh.values))
	for i, c := range sh.values {
		q := t.quote(c.name)
		if t.dialect == dialect.PostgreSQL {
			sets[i] = q + "=EXCLUDED." + q
		} else {
			sets[i] = q + "=VALUES(" + q + ")"
		}
	}
	if t.dialect == dialect.PostgreSQL {
		if len(sets) == 0 {
			return " ON CONFLICT (" + t.quoteList(sh.keys) + ") DO NOTHING"
		}
		return " ON CONFLICT (" + t.quoteList(sh.keys) + ") DO UPDATE SET " + strings.Join(sets, ",")
	}
	if len(sets) == 0 {
		k := t.quote(sh.keys[0].name)
		return " ON DUPLICATE KEY UPDATE " + k + "=" + k
	}
	return " ON DUPLICATE KEY UPDATE " + strings.Join(sets, ",")
}

// updateSQL is UPDATE ... SET values WHERE keys; its binds are the values, then the keys.
func (t *Task) updateSQL(sh *shape) string {
	sets := make([]string, len(sh.values))
	for i, c := range sh.values {
		sets[i] = t.quote(c.name) + "=" + t.dialect.Placeholder(i+1)
	}
	return fmt.Sprintf("UPDATE %s SET %s WHERE %s", t.quoteTable(sh), strings.Join(sets, ","), t.where(sh, len(sh.values)+1))
}

// deleteSQL is DELETE ... WHERE keys.
func (t *Task) deleteSQL(sh *shape) string {
	return fmt.Sprintf("DELETE FROM %s WHERE %s", t.quoteTable(sh), t.where(sh, 1))
}

func (t *Task) where(sh *shape, first int) string {
	conds := make([]string, len(sh.keys))
	for i, c := range sh.keys {
		conds[i] = t.quote(c.name) + "=" + t.dialect.Placeholder(first+i)
	}
	return strings.Join(conds, " AND ")
}

// recordFault reports whether err is about the rows written (a constraint,
// a value that does not fit a column) rather than the connection.
func recordFault(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "22") || strings.HasPrefix(pe.Code, "23")
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1048, 1062, 1264, 1265, 1292, 1366, 1364, 1406, 1451, 1452, 3819:
			return true
		}
	}
	return false
}

// permanent reports whether err will not pass on retry: a record fault or
// an SQL error (undefined column, syntax, permissions).
func permanent(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return !strings.HasPrefix(pe.Code, "08") && !strings.HasPrefix(pe.Code, "40") && !strings.HasPrefix(pe.Code, "57") && pe.Code != "55P03"
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number != 1213 && me.Number != 1205 && me.Number != 2006 && me.Number != 2013
	}
	return false
}

// dbError wraps a database error: permanent ones say what failed; others
// are retriable (the connection, a deadlock, a restart).
func (t *Task) dbError(what string, err error) error {
	e := fmt.Errorf("jdbc sink: %s on %s: %w", what, t.url, err)
	if permanent(err) {
		return e
	}
	return connectors.Retriable(e)
}
