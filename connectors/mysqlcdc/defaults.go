package mysqlcdc

import (
	"math/big"
	"strings"

	"github.com/ferryhq/ferry/connectors"
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

// fallback is Debezium's value for a NOT NULL column that has no value
// (a zero date it cannot represent).
func fallback(s *connectors.Schema) any {
	switch s.Type {
	case connectors.TypeInt8:
		return int8(0)
	case connectors.TypeInt16:
		return int16(0)
	case connectors.TypeInt32:
		return int32(0)
	case connectors.TypeInt64:
		return int64(0)
	case connectors.TypeFloat32:
		return float32(0)
	case connectors.TypeFloat64:
		return float64(0)
	case connectors.TypeBoolean:
		return false
	case connectors.TypeString:
		return ""
	case connectors.TypeBytes:
		if s.Name == connectors.DecimalName {
			sc, _ := connectors.DecimalScale(s)
			return connectors.Decimal{Unscaled: new(big.Int), Scale: sc}
		}
		return []byte{}
	}
	return nil
}
