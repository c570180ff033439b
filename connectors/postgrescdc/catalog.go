package postgrescdc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/jackc/pgx/v5"
)

// ErrTable is wrapped when a captured table cannot be read.
var ErrTable = errors.New("postgres cdc table")

// table is one captured table with its Debezium schemas.
type table struct {
	oid      uint32
	schema   string
	name     string
	cols     []*column // every column in attnum order; schema nil when unsupported
	keyCols  []*column
	fields   []*column // the columns of value's fields, in field order
	topic    string
	value    *connectors.Schema
	key      *connectors.Schema // nil without a primary key
	envelope *connectors.Schema
	dbz      debezium.Table     // topic, envelope and key for debezium.Event
	src      *connectors.Struct // the source block's fixed fields (sourceTemplate)
}

func (t *table) String() string { return t.schema + "." + t.name }

// listTables returns the captured tables, ordered by schema and name.
func listTables(ctx context.Context, conn *pgx.Conn, cfg *Config) ([]*table, error) {
	rows, err := conn.Query(ctx, `SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
		ORDER BY 2, 3`)
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	type ref struct {
		oid          uint32
		schema, name string
	}
	refs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ref, error) {
		var x ref
		return x, r.Scan(&x.oid, &x.schema, &x.name)
	})
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	var out []*table
	for _, r := range refs {
		if !cfg.captured(r.schema, r.name) {
			continue
		}
		t, err := loadTable(ctx, conn, cfg, r.oid)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// loadTable reads a table's columns and primary key and builds its schemas.
func loadTable(ctx context.Context, conn *pgx.Conn, cfg *Config, oid uint32) (*table, error) {
	t := &table{oid: oid}
	if err := conn.QueryRow(ctx, `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`,
		oid).Scan(&t.schema, &t.name); err != nil {
		return nil, fmt.Errorf("%w: relation %d: %v", ErrTable, oid, err)
	}
	rows, err := conn.Query(ctx, `SELECT a.attname, a.atttypid, a.atttypmod, NOT a.attnotnull, format_type(a.atttypid, a.atttypmod),
			CASE WHEN a.attgenerated = '' THEN COALESCE(pg_get_expr(d.adbin, d.adrelid), '') ELSE '' END,
			(SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = a.atttypid),
			COALESCE((SELECT k.n FROM unnest(i.indkey) WITH ORDINALITY AS k(att, n) WHERE k.att = a.attnum), 0)::int4
		FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, oid)
	if err != nil {
		return nil, fmt.Errorf("%w: reading the columns of %s: %v", ErrTable, t, err)
	}
	t.cols, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*column, error) {
		c := &column{}
		err := r.Scan(&c.name, &c.oid, &c.typmod, &c.nullable, &c.typeName, &c.defaultExpr, &c.enumLabels, &c.keyPos)
		c.key = c.keyPos > 0
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: reading the columns of %s: %v", ErrTable, t, err)
	}
	t.build(cfg)
	return t, nil
}

// reported remembers unsupported columns already logged by this process.
var reported sync.Map

// build maps the columns and builds the Key, Value and Envelope schemas.
func (t *table) build(cfg *Config) {
	base := cfg.TopicPrefix + "." + t.schema + "." + t.name
	t.topic = base
	vb := connectors.StructBuilder().Name(base + ".Value")
	kb := connectors.StructBuilder().Name(base + ".Key")
	for _, c := range t.cols {
		mapColumn(c, cfg)
		if c.schema == nil {
			if _, dup := reported.LoadOrStore(base+"\x00"+c.name, true); !dup {
				slog.Warn("postgres cdc: column of unsupported type left out of change events",
					"table", t.String(), "column", c.name, "type", c.typeName)
			}
			continue
		}
		vb.Field(c.name, c.schema)
		t.fields = append(t.fields, c)
		if c.key {
			t.keyCols = append(t.keyCols, c)
		}
	}
	// The key's fields in the primary key's order, as Debezium writes them.
	sort.SliceStable(t.keyCols, func(i, j int) bool { return t.keyCols[i].keyPos < t.keyCols[j].keyPos })
	for _, c := range t.keyCols {
		kb.Field(c.name, c.schema)
	}
	t.value = vb.Optional().MustBuild()
	if len(t.keyCols) > 0 {
		t.key = kb.MustBuild()
	}
	t.envelope = debezium.EnvelopeSchema(base, t.value, sourceSchema)
	t.src = sourceTemplate(t, cfg)
	t.dbz = debezium.Table{Topic: t.topic, Envelope: t.envelope, Key: t.key}
	for _, c := range t.keyCols {
		t.dbz.KeyNames = append(t.dbz.KeyNames, c.name)
	}
	cfg.Keys().Rekey(&t.dbz, t.schema+"."+t.name, t.value, base+".Key")
	t.key = t.dbz.Key
}

// column returns the named column, or nil.
func (t *table) column(name string) *column {
	for _, c := range t.cols {
		if c.name == name {
			return c
		}
	}
	return nil
}
