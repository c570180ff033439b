package mysqlcdc

import (
	"strings"
)

// defaultValue is the column's literal DEFAULT as its schema value, as
// Debezium writes it into column schemas; ok is false for no default, NULL
// or an expression (CURRENT_TIMESTAMP).
func (c *column) defaultValue() (any, bool) {
	if c.defaultRaw == nil || c.conv == nil {
		return nil, false
	}
	raw := *c.defaultRaw
	if strings.EqualFold(raw, "NULL") && c.nullable {
		return nil, false
	}
	switch c.dataType {
	case "bit", "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "json", "geometry":
		return nil, false
	}
	if len(raw) >= 2 && raw[0] == '\'' && raw[len(raw)-1] == '\'' { // MariaDB quotes string literals
		raw = strings.ReplaceAll(raw[1:len(raw)-1], "''", "'")
	} else if strings.ContainsAny(raw, "()") || strings.HasPrefix(strings.ToLower(raw), "current_timestamp") {
		return nil, false
	}
	var in any = raw
	if c.dataType == "enum" || c.dataType == "set" {
		in = raw // the text form, not an index
	}
	v, err := c.conv(in)
	if err != nil || v == nil {
		return nil, false
	}
	return v, true
}
