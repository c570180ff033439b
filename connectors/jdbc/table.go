package jdbc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

// ErrTable is wrapped by problems with a table's shape: missing table,
// missing or nullable incrementing/timestamp column. The task stays FAILED
// until the table or the config is fixed.
var ErrTable = errors.New("jdbc source table")

// loadColumns reads a table's columns from information_schema, in order.
func loadColumns(ctx context.Context, db *sql.DB, d *dialect.Dialect, t dialect.TableID, numericMapping string) ([]*column, error) {
	var q string
	var args []any
	if d == dialect.PostgreSQL {
		q = `SELECT column_name, udt_name, '', COALESCE(numeric_precision, -1), COALESCE(numeric_scale, -1),
		        COALESCE(character_maximum_length, -1), is_nullable = 'YES',
		        COALESCE(column_default LIKE 'nextval(%', false) OR is_identity = 'YES', false
		   FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`
		args = []any{t.Schema, t.Name}
		if t.Schema == "" {
			q = strings.Replace(q, "table_schema = $1", "table_schema = ANY (current_schemas(false)) AND $1 = ''", 1)
		}
	} else {
		q = `SELECT column_name, data_type, column_type, COALESCE(numeric_precision, -1), COALESCE(numeric_scale, -1),
		        COALESCE(character_maximum_length, -1), is_nullable = 'YES', extra LIKE '%auto_increment%', false
		   FROM information_schema.columns WHERE table_schema = COALESCE(NULLIF(?, ''), DATABASE()) AND table_name = ? ORDER BY ordinal_position`
		args = []any{t.Catalog, t.Name}
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the columns of %s: %w", t, err)
	}
	defer rows.Close()
	var cols []*column
	for rows.Next() {
		c := &column{}
		var unused bool
		if err := rows.Scan(&c.name, &c.typeName, &c.colType, &c.precision, &c.scale, &c.length, &c.nullable, &c.autoInc, &unused); err != nil {
			return nil, fmt.Errorf("reading the columns of %s: %w", t, err)
		}
		c.typeName, c.colType = strings.ToLower(c.typeName), strings.ToLower(c.colType)
		mapColumn(c, d, numericMapping)
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the columns of %s: %w", t, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%w: table %s does not exist (or user has no access to it); create it or remove it from table.whitelist", ErrTable, t)
	}
	return cols, nil
}

// reported remembers unsupported columns already logged by this process.
var reported sync.Map

// supported drops unsupported columns, logging each (table, column, type)
// once per process, as Confluent logs and skips them.
func supported(where string, cols []*column) []*column {
	out := cols[:0:0]
	for _, c := range cols {
		if c.kind != kUnsupported {
			out = append(out, c)
			continue
		}
		key := where + "\x00" + c.name + "\x00" + c.typeName
		if _, dup := reported.LoadOrStore(key, true); !dup {
			slog.Warn("jdbc source: column of unsupported type left out of records; cast it in a query (query=...) to read it",
				"table", where, "column", c.name, "type", c.typeName)
		}
	}
	return out
}

// valueSchema is the record schema of the columns, named after the table
// (unnamed in query mode), as Confluent's SchemaMapping builds it.
func valueSchema(name string, cols []*column) *connectors.Schema {
	b := connectors.StructBuilder()
	if name != "" {
		b.Name(name)
	}
	for _, c := range cols {
		b.Field(c.name, c.schema)
	}
	return b.MustBuild()
}

// findColumn returns the named column, or nil.
func findColumn(cols []*column, name string) *column {
	for _, c := range cols {
		if c.name == name {
			return c
		}
	}
	return nil
}
