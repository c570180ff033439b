package jdbcsink

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

// querier is what table statements run on: the pool or the transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// columnsOf returns the table's column names, or nil when it does not exist.
func (t *Task) columnsOf(ctx context.Context, q querier, id dialect.TableID) (map[string]bool, error) {
	var rows *sql.Rows
	var err error
	if t.dialect == dialect.PostgreSQL {
		rows, err = q.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = COALESCE(NULLIF($1, ''), current_schema()) AND table_name = $2`, id.Schema, id.Name)
	} else {
		rows, err = q.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = COALESCE(NULLIF(?, ''), DATABASE()) AND table_name = ?`, id.Catalog, id.Name)
	}
	if err != nil {
		return nil, t.dbError(fmt.Sprintf("reading the columns of %s", id), err)
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, t.dbError("reading column names", err)
		}
		cols[c] = true
	}
	if len(cols) == 0 {
		return nil, rows.Err()
	}
	return cols, rows.Err()
}

// ensureTable creates the table (auto.create) or adds missing nullable
// columns (auto.evolve), as Confluent's DbStructure does, and fails naming
// the table and columns when the config does not allow it.
func (t *Task) ensureTable(ctx context.Context, q querier, sh *shape) error {
	name := sh.table.String()
	if t.checked[name] {
		return nil
	}
	cols, err := t.columnsOf(ctx, q, sh.table)
	if err != nil {
		return err
	}
	if cols == nil {
		if !t.cfg.AutoCreate {
			return fmt.Errorf("%w: table %s is missing and auto-creation is disabled: create it or set auto.create=true", ErrTable, name)
		}
		if _, err := q.ExecContext(ctx, t.createTable(sh)); err != nil {
			return t.dbError("creating table "+name, err)
		}
		t.checked[name] = true
		return nil
	}
	var missing []column
	for _, c := range append(append([]column(nil), sh.keys...), sh.values...) {
		if !cols[c.name] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		if err := t.addColumns(ctx, q, sh, missing); err != nil {
			return err
		}
	}
	t.checked[name] = true
	return nil
}

func (t *Task) addColumns(ctx context.Context, q querier, sh *shape, missing []column) error {
	name := sh.table.String()
	names := make([]string, len(missing))
	for i, c := range missing {
		names[i] = c.name
	}
	if !t.cfg.AutoEvolve {
		return fmt.Errorf("%w: table %s is missing columns %s and auto-evolution is disabled: add them or set auto.evolve=true", ErrTable, name, strings.Join(names, ", "))
	}
	for _, c := range missing {
		if !c.schema.Optional && c.schema.Default == nil {
			return fmt.Errorf("%w: cannot ALTER TABLE %s to add missing field %s, as the field is not optional and does not have a default value", ErrTable, name, c.name)
		}
		stmt := fmt.Sprintf("ALTER TABLE %s ADD %s %s NULL", t.quoteTable(sh), t.quote(c.name), t.sqlType(c.schema, false))
		if _, err := q.ExecContext(ctx, stmt); err != nil {
			return t.dbError(fmt.Sprintf("adding column %s to %s", c.name, name), err)
		}
	}
	return nil
}

// createTable is the CREATE TABLE of a shape: key columns NOT NULL and the
// primary key, other columns NOT NULL unless optional.
func (t *Task) createTable(sh *shape) string {
	var defs []string
	for _, c := range sh.keys {
		defs = append(defs, t.quote(c.name)+" "+t.sqlType(c.schema, true)+" NOT NULL")
	}
	for _, c := range sh.values {
		d := t.quote(c.name) + " " + t.sqlType(c.schema, false)
		if !c.schema.Optional {
			d += " NOT NULL"
		}
		defs = append(defs, d)
	}
	if len(sh.keys) > 0 {
		defs = append(defs, "PRIMARY KEY("+t.quoteList(sh.keys)+")")
	}
	return fmt.Sprintf("CREATE TABLE %s (\n%s)", t.quoteTable(sh), strings.Join(defs, ",\n"))
}

// sqlType is Confluent's column type for a Connect schema in the dialect.
func (t *Task) sqlType(s *connectors.Schema, key bool) string {
	pg := t.dialect == dialect.PostgreSQL
	switch s.Name {
	case connectors.DecimalName:
		scale, _ := connectors.DecimalScale(s)
		if pg {
			return "DECIMAL"
		}
		return "DECIMAL(65," + strconv.Itoa(int(scale)) + ")"
	case connectors.DateName:
		return "DATE"
	case connectors.TimeName:
		return pick(pg, "TIME", "TIME(3)")
	case connectors.TimestampName:
		return pick(pg, "TIMESTAMP", "DATETIME(3)")
	}
	switch s.Type {
	case connectors.TypeInt8:
		return pick(pg, "SMALLINT", "TINYINT")
	case connectors.TypeInt16:
		return "SMALLINT"
	case connectors.TypeInt32:
		return "INT"
	case connectors.TypeInt64:
		return "BIGINT"
	case connectors.TypeFloat32:
		return pick(pg, "REAL", "FLOAT")
	case connectors.TypeFloat64:
		return pick(pg, "DOUBLE PRECISION", "DOUBLE")
	case connectors.TypeBoolean:
		return pick(pg, "BOOLEAN", "TINYINT")
	case connectors.TypeString:
		if !pg && key {
			return "VARCHAR(256)"
		}
		return "TEXT"
	case connectors.TypeBytes:
		if !pg && key {
			return "VARBINARY(767)"
		}
		return pick(pg, "BYTEA", "BLOB")
	}
	return "TEXT"
}

func pick(pg bool, a, b string) string {
	if pg {
		return a
	}
	return b
}

func (t *Task) quote(name string) string { return t.dialect.Quote(name, t.quoting) }

func (t *Task) quoteTable(sh *shape) string { return t.dialect.QuoteTable(sh.table, t.quoting) }

func (t *Task) quoteList(cols []column) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = t.quote(c.name)
	}
	return strings.Join(out, ",")
}
