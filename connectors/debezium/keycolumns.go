package debezium

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors"
)

// KeyColumns is message.key.columns: per table, the columns that make the
// record key instead of the primary key, as Debezium's CustomKeyMapper
// reads it: "<table>:<col>,<col>;<table>:<col>…", where each table (fully
// qualified, db.table or schema.table) and column is a regular expression
// matched, case-insensitively and whole, against "<table>.<column>".
type KeyColumns struct {
	patterns []*regexp.Regexp // one per listed column, in the order listed
}

// keyEntry is one "<table>:<columns>" of message.key.columns, compiled on
// first use (not at every Lambda cold start).
var keyEntry = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*([^:]+):([^:,]+(,[^:,]+)*)\s*$`) })

// ParseKeyColumns reads message.key.columns; "" is no override.
func ParseKeyColumns(spec string) (KeyColumns, error) {
	var k KeyColumns
	if strings.TrimSpace(spec) == "" {
		return k, nil
	}
	for _, entry := range strings.Split(spec, ";") {
		if !keyEntry().MatchString(entry) {
			return k, &connectors.ConfigError{Key: "message.key.columns", Value: spec,
				Reason: fmt.Sprintf("%q is not <fully-qualified table>:<column>[,<column>…]; separate tables with ';'", entry)}
		}
		table, cols, _ := strings.Cut(entry, ":")
		for _, c := range strings.Split(cols, ",") {
			re, err := regexp.Compile(`(?i)^(?:` + table + "." + strings.TrimSpace(c) + `)$`)
			if err != nil {
				return k, &connectors.ConfigError{Key: "message.key.columns", Value: spec, Reason: err.Error()}
			}
			k.patterns = append(k.patterns, re)
		}
	}
	return k, nil
}

// Columns is the key of table (its fully-qualified name) with the given
// columns in table order: for each pattern in the order listed, the
// columns it matches; nil when none matches (the primary key stays).
func (k KeyColumns) Columns(table string, columns []string) []string {
	var out []string
	for _, p := range k.patterns {
		for _, c := range columns {
			if p.MatchString(table + "." + c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// Rekey makes the columns message.key.columns names for table (its
// fully-qualified name) t's key, when any match: the key schema keyName
// with those fields of the value schema, in the order Columns gives.
func (k KeyColumns) Rekey(t *Table, table string, value *connectors.Schema, keyName string) {
	if len(k.patterns) == 0 {
		return
	}
	names := make([]string, len(value.Fields))
	for i, f := range value.Fields {
		names[i] = f.Name
	}
	cols := k.Columns(table, names)
	if len(cols) == 0 {
		return
	}
	kb := connectors.StructBuilder().Name(keyName)
	t.KeyNames = t.KeyNames[:0:0]
	for _, c := range cols {
		if slices.Contains(t.KeyNames, c) {
			continue
		}
		kb.Field(c, value.Field(c).Schema)
		t.KeyNames = append(t.KeyNames, c)
	}
	t.Key = kb.MustBuild()
}
