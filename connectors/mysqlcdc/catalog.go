package mysqlcdc

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/go-mysql-org/go-mysql/client"
)

// ErrTable is wrapped by errors about one captured table.
var ErrTable = errors.New("mysql cdc table")

// table is one captured table with its Debezium schemas.
type table struct {
	db, name string
	cols     []*column // every column in ordinal order (binlog rows are positional)
	keyCols  []*column
	value    *connectors.Schema
	key      *connectors.Schema // nil without a primary key
	dbz      debezium.Table
	charset  string
	dropped  bool // a DROP TABLE's entry in a schema change
}

func (t *table) String() string { return t.db + "." + t.name }

// id is the table's id in Debezium's schema history ("db"."table" quoting).
func (t *table) id() string { return `"` + t.db + `"."` + t.name + `"` }

// avroName replaces what Avro names do not allow with '_', as Debezium's
// schema name adjuster does.
var avroName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9_.]`) })

// build sets the table's schemas from its columns.
func (t *table) build(prefix string, src *connectors.Schema) {
	base := prefix + "." + t.db + "." + t.name
	sbase := avroName().ReplaceAllString(base, "_")
	vb := connectors.StructBuilder().Name(sbase + ".Value")
	kb := connectors.StructBuilder().Name(sbase + ".Key")
	t.keyCols = nil
	for _, c := range t.cols {
		if c.schema == nil || c.excluded {
			continue
		}
		vb.Field(c.name, c.schema)
		if c.key {
			t.keyCols = append(t.keyCols, c)
		}
	}
	t.value = vb.Optional().MustBuild()
	t.key = nil
	// Key fields in primary-key order, as Debezium writes them.
	sort.SliceStable(t.keyCols, func(i, j int) bool { return t.keyCols[i].keySeq < t.keyCols[j].keySeq })
	for _, c := range t.keyCols {
		kb.Field(c.name, c.schema)
	}
	if len(t.keyCols) > 0 {
		t.key = kb.MustBuild()
	}
	t.dbz = debezium.Table{Topic: base, Envelope: debezium.EnvelopeSchema(sbase, t.value, src), Key: t.key}
	for _, c := range t.keyCols {
		t.dbz.KeyNames = append(t.dbz.KeyNames, c.name)
	}
}

// row builds the Value struct from a row of values in column order.
func (t *table) row(vals []any) (*connectors.Struct, error) {
	st := connectors.NewStruct(t.value)
	i := 0
	for ci, c := range t.cols {
		if c.schema == nil || c.excluded {
			continue
		}
		var v any
		if ci < len(vals) {
			v = vals[ci]
		}
		if v != nil {
			cv, err := c.conv(v)
			if err != nil {
				return nil, connectors.DataError("%s column %s (%s): %v", t, c.name, c.columnType, err)
			}
			v = cv
		}
		if v == nil && !c.schema.Optional {
			v = debezium.Fallback(c.schema)
		}
		st.Set(i, v)
		i++
	}
	return st, nil
}

// quote is a MySQL string literal.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`).Replace(s) + "'"
}

// ident is a quoted identifier.
func ident(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// listTables reads the captured tables and their columns from
// information_schema.
func listTables(conn *client.Conn, cfg *Config, fl flavor, src *connectors.Schema) ([]*table, error) {
	res, err := conn.Execute(`SELECT TABLE_SCHEMA, TABLE_NAME, COALESCE(SUBSTRING_INDEX(TABLE_COLLATION, '_', 1), '') FROM information_schema.TABLES
		WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME`)
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	f := newFilter(cfg)
	var out []*table
	for i := range res.Values {
		db, _ := res.GetString(i, 0)
		name, _ := res.GetString(i, 1)
		cs, _ := res.GetString(i, 2)
		if f.table(db, name) {
			out = append(out, &table{db: db, name: name, charset: cs})
		}
	}
	for _, t := range out {
		if err := loadColumns(conn, t, cfg, fl, src); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadColumns (re)reads t's columns and primary key and builds its schemas.
func loadColumns(conn *client.Conn, t *table, cfg *Config, fl flavor, src *connectors.Schema) error {
	res, err := conn.Execute(`SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY, COLUMN_DEFAULT,
		COALESCE(CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, 0), COALESCE(NUMERIC_SCALE, 0), COALESCE(DATETIME_PRECISION, 0),
		COALESCE(CHARACTER_SET_NAME, ''), EXTRA
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ` + quote(t.db) + ` AND TABLE_NAME = ` + quote(t.name) + ` ORDER BY ORDINAL_POSITION`)
	if err != nil {
		return fmt.Errorf("%w %s: reading columns: %v", ErrTable, t, err)
	}
	f := newFilter(cfg)
	t.cols = t.cols[:0]
	for i := range res.Values {
		str := func(j int) string { s, _ := res.GetString(i, j); return s }
		num := func(j int) int64 { n, _ := strconv.ParseInt(str(j), 10, 64); return n }
		c := &column{name: str(0), dataType: strings.ToLower(str(1)), columnType: str(2), nullable: str(3) == "YES",
			key: str(4) == "PRI", length: num(6), scale: int32(num(7)), fsp: int(num(8)), charset: str(9),
			autoInc: strings.Contains(strings.ToLower(str(10)), "auto_increment")}
		// MariaDB shows a NULL default as the word NULL (string defaults are quoted).
		if null, _ := res.IsNull(i, 5); !null && !(fl.mariadb && str(5) == "NULL") {
			d := str(5)
			c.defaultRaw = &d
		}
		c.unsigned = strings.Contains(strings.ToLower(c.columnType), "unsigned")
		if c.dataType == "bit" || c.dataType == "binary" {
			c.length = bracketNumber(c.columnType, c.length)
		}
		if c.dataType == "enum" || c.dataType == "set" {
			c.values = enumValues(c.columnType)
		}
		c.excluded = !f.column(t.db, t.name, c.name)
		mapColumn(c, cfg)
		if c.schema == nil {
			warnUnsupported(t, c)
		}
		t.cols = append(t.cols, c)
	}
	if err := primaryKeyOrder(conn, t); err != nil {
		return err
	}
	if len(t.cols) == 0 {
		return fmt.Errorf("%w %s: no columns visible; grant SELECT on it to %s", ErrTable, t, cfg.User)
	}
	t.build(cfg.prefix(), src)
	t.rekey(cfg)
	return nil
}

// primaryKeyOrder sets each key column's position in the primary key.
func primaryKeyOrder(conn *client.Conn, t *table) error {
	res, err := conn.Execute(`SELECT COLUMN_NAME, SEQ_IN_INDEX FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ` +
		quote(t.db) + ` AND TABLE_NAME = ` + quote(t.name) + ` AND INDEX_NAME = 'PRIMARY'`)
	if err != nil {
		return fmt.Errorf("%w %s: reading the primary key: %v", ErrTable, t, err)
	}
	for i := range res.Values {
		name, _ := res.GetString(i, 0)
		seq, _ := res.GetInt(i, 1)
		if c := t.column(name); c != nil {
			c.keySeq = int(seq)
		}
	}
	return nil
}

var reported sync.Map

func warnUnsupported(t *table, c *column) {
	if _, dup := reported.LoadOrStore(t.String()+"\x00"+c.name, true); !dup {
		slog.Warn("mysql cdc: column of unsupported type left out of change events",
			"table", t.String(), "column", c.name, "type", c.columnType)
	}
}

// bracketNumber reads n from "bit(n)" / "binary(n)", or returns def.
func bracketNumber(columnType string, def int64) int64 {
	_, rest, ok := strings.Cut(columnType, "(")
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), ")"), 10, 64)
	if err != nil {
		return def
	}
	return n
}

// enumValues reads the members of "enum('a','b”c')".
func enumValues(columnType string) []string {
	_, rest, _ := strings.Cut(columnType, "(")
	rest = strings.TrimSuffix(rest, ")")
	var out []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(rest); i++ {
		ch := rest[i]
		switch {
		case !in && ch == '\'':
			in = true
		case in && ch == '\'' && i+1 < len(rest) && rest[i+1] == '\'':
			cur.WriteByte('\'')
			i++
		case in && ch == '\\' && i+1 < len(rest):
			cur.WriteByte(rest[i+1])
			i++
		case in && ch == '\'':
			in = false
			out = append(out, cur.String())
			cur.Reset()
		case in:
			cur.WriteByte(ch)
		}
	}
	return out
}
