package dialect

import (
	"strconv"
	"strings"
)

// Dialect is one database's SQL conventions. The values are PostgreSQL and
// MySQL (which MariaDB shares); compare pointers or Name.
type Dialect struct {
	// Name is Confluent's dialect name (dialect.name): PostgreSqlDatabaseDialect, MySqlDatabaseDialect.
	Name string
	// Scheme is the JDBC subprotocol (postgresql, mysql).
	Scheme string
	// DefaultPort is used when the URL has none.
	DefaultPort string
	// DefaultSchema is the schema tables are looked up in when none is given
	// (public for PostgreSQL; MySQL has none: the database is the schema).
	DefaultSchema string
	quote         string
	dollar        bool
}

// The supported dialects.
var (
	PostgreSQL = &Dialect{Name: "PostgreSqlDatabaseDialect", Scheme: "postgresql", DefaultPort: "5432", DefaultSchema: "public", quote: `"`, dollar: true}
	MySQL      = &Dialect{Name: "MySqlDatabaseDialect", Scheme: "mysql", DefaultPort: "3306", quote: "`"}
)

// ByScheme returns the dialect of a JDBC subprotocol (postgresql, postgres,
// mysql, mariadb), or nil.
func ByScheme(scheme string) *Dialect {
	switch strings.ToLower(scheme) {
	case "postgresql", "postgres", "pgsql":
		return PostgreSQL
	case "mysql", "mariadb":
		return MySQL
	}
	return nil
}

// ByName returns the dialect for Confluent's dialect.name, or nil.
func ByName(name string) *Dialect {
	for _, d := range []*Dialect{PostgreSQL, MySQL} {
		if strings.EqualFold(d.Name, name) {
			return d
		}
	}
	return nil
}

// Quoting is Confluent's quote.sql.identifiers: always or never.
type Quoting bool

// The quote.sql.identifiers values.
const (
	QuoteAlways Quoting = true
	QuoteNever  Quoting = false
)

// ParseQuoting reads quote.sql.identifiers (always|never, case-insensitive);
// anything else is always.
func ParseQuoting(s string) Quoting { return Quoting(!strings.EqualFold(s, "never")) }

// Quote quotes one identifier (a column, table or schema name), doubling any
// quote character inside it, or returns it as is with QuoteNever.
func (d *Dialect) Quote(ident string, q Quoting) string {
	if q == QuoteNever {
		return ident
	}
	return d.quote + strings.ReplaceAll(ident, d.quote, d.quote+d.quote) + d.quote
}

// QuoteTable quotes a possibly qualified table name.
func (d *Dialect) QuoteTable(t TableID, q Quoting) string {
	var parts []string
	if t.Catalog != "" && d == MySQL {
		parts = append(parts, d.Quote(t.Catalog, q))
	}
	if t.Schema != "" {
		parts = append(parts, d.Quote(t.Schema, q))
	}
	return strings.Join(append(parts, d.Quote(t.Name, q)), ".")
}

// Placeholder is the n-th (1-based) bind parameter: $n or ?.
func (d *Dialect) Placeholder(n int) string {
	if d.dollar {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// TableID names a table: catalog (MySQL database), schema (PostgreSQL) and name.
type TableID struct {
	Catalog string
	Schema  string
	Name    string
}

// ParseTableID splits "schema.table" (PostgreSQL) or "db.table" (MySQL) or a
// bare table name. Quotes around parts are removed.
func (d *Dialect) ParseTableID(s string) TableID {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(p, d.quote)
	}
	var t TableID
	switch len(parts) {
	case 1:
		t.Name = parts[0]
	case 2:
		if d == MySQL {
			t.Catalog, t.Name = parts[0], parts[1]
		} else {
			t.Schema, t.Name = parts[0], parts[1]
		}
	default:
		t.Catalog, t.Schema, t.Name = parts[0], parts[1], strings.Join(parts[2:], ".")
	}
	return t
}

// String is the dotted name (schema.table or db.table), unquoted.
func (t TableID) String() string {
	var parts []string
	for _, p := range []string{t.Catalog, t.Schema, t.Name} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}
