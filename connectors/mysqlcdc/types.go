package mysqlcdc

import (
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// Debezium's semantic type names.
const (
	nameYear    = "io.debezium.time.Year"
	nameEnum    = "io.debezium.data.Enum"
	nameEnumSet = "io.debezium.data.EnumSet"
	nameBits    = "io.debezium.data.Bits"
)

// column is one column of a captured table with its Debezium schema.
type column struct {
	name       string
	dataType   string // information_schema DATA_TYPE, lower case
	columnType string // COLUMN_TYPE: "int(10) unsigned", "enum('a','b')"
	nullable   bool
	key        bool
	keySeq     int // position in the primary key, from 1
	unsigned   bool
	length     int64 // character length, numeric precision or bit length
	scale      int32
	fsp        int      // fractional seconds digits
	values     []string // ENUM / SET members
	defaultRaw *string  // COLUMN_DEFAULT as the server shows it
	charset    string
	autoInc    bool
	excluded   bool               // column.exclude.list
	schema     *connectors.Schema // nil: unsupported type, left out
	conv       func(any) (any, error)
}

// mapColumn sets c's schema and converter as Debezium maps the type.
func mapColumn(c *column, cfg *Config) {
	b := c.builder(cfg)
	if b == nil {
		return
	}
	if c.nullable {
		b.Optional()
	}
	if d, ok := c.defaultValue(); ok {
		b.DefaultValue(d)
	}
	c.schema = b.MustBuild()
}

func named(t connectors.Type, name string) *connectors.SchemaBuilder {
	return connectors.NewSchemaBuilder(t).Name(name).Version(1)
}

// builder returns the column's schema builder and sets its converter; nil
// for a type ferry does not map.
func (c *column) builder(cfg *Config) *connectors.SchemaBuilder {
	prim := connectors.NewSchemaBuilder
	if geometryTypes[c.dataType] {
		return c.geometry()
	}
	if c.dataType == "point" {
		return c.point()
	}
	switch c.dataType {
	case "tinyint":
		c.conv = c.intConv(8, 16)
		return prim(connectors.TypeInt16)
	case "smallint":
		if c.unsigned {
			c.conv = c.intConv(16, 32)
			return prim(connectors.TypeInt32)
		}
		c.conv = c.intConv(16, 16)
		return prim(connectors.TypeInt16)
	case "mediumint":
		c.conv = c.intConv(24, 32)
		return prim(connectors.TypeInt32)
	case "int", "integer":
		if c.unsigned {
			c.conv = c.intConv(32, 64)
			return prim(connectors.TypeInt64)
		}
		c.conv = c.intConv(32, 32)
		return prim(connectors.TypeInt32)
	case "bigint":
		if c.unsigned && cfg.BigintUnsigned == "precise" {
			c.conv = func(v any) (any, error) {
				n, err := toUint64(v)
				return connectors.Decimal{Unscaled: new(big.Int).SetUint64(n), Scale: 0}, err
			}
			return connectors.DecimalSchema(0).Parameter("connect.decimal.precision", "20")
		}
		c.conv = c.intConv(64, 64)
		return prim(connectors.TypeInt64)
	case "float":
		c.conv = floatConv(32)
		return prim(connectors.TypeFloat32)
	case "double", "real":
		c.conv = floatConv(64)
		return prim(connectors.TypeFloat64)
	case "decimal", "numeric":
		return c.decimal(cfg.DecimalHandling)
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		c.conv = toString
		return prim(connectors.TypeString)
	case "json":
		c.conv = toString
		return named(connectors.TypeString, debezium.NameJSON)
	case "enum":
		c.conv = c.enumConv
		return named(connectors.TypeString, nameEnum).Parameter("allowed", strings.Join(c.values, ","))
	case "set":
		c.conv = c.setConv
		return named(connectors.TypeString, nameEnumSet).Parameter("allowed", strings.Join(c.values, ","))
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return c.binary(cfg.BinaryHandling)
	case "bit":
		if c.length <= 1 {
			c.conv = func(v any) (any, error) { n, err := bitValue(v); return n != 0, err }
			return prim(connectors.TypeBoolean)
		}
		n := int(c.length)
		c.conv = func(v any) (any, error) { return bitsConv(v, n) }
		return named(connectors.TypeBytes, nameBits).Parameter("length", strconv.Itoa(n))
	case "year":
		c.conv = func(v any) (any, error) { n, err := toInt64(v); return int32(n), err }
		return named(connectors.TypeInt32, nameYear)
	}
	return c.temporal(cfg.TimePrecision)
}

// temporal maps DATE, TIME, DATETIME and TIMESTAMP per time.precision.mode.
func (c *column) temporal(mode string) *connectors.SchemaBuilder {
	connect := mode == "connect"
	switch c.dataType {
	case "date":
		if connect {
			c.conv = c.nullOnZero(func(s string) (any, error) { return time.Parse("2006-01-02", s) })
			return connectors.DateSchema()
		}
		c.conv = c.nullOnZero(dateDays)
		return named(connectors.TypeInt32, debezium.NameDate)
	case "time":
		switch {
		case connect:
			c.conv = stringConv(func(s string) (any, error) {
				us, err := timeMicros(s)
				return time.UnixMilli(us / 1000).UTC(), err
			})
			return connectors.TimeSchema()
		case mode == "adaptive" && c.fsp <= 3:
			c.conv = stringConv(func(s string) (any, error) { us, err := timeMicros(s); return int32(us / 1000), err })
			return named(connectors.TypeInt32, debezium.NameTime)
		}
		c.conv = stringConv(func(s string) (any, error) { return timeMicros(s) })
		return named(connectors.TypeInt64, debezium.NameMicroTime)
	case "datetime":
		switch {
		case connect:
			c.conv = c.datetime(func(t time.Time) any { return t.Truncate(time.Millisecond) })
			return connectors.TimestampSchema()
		case c.fsp <= 3:
			c.conv = c.datetime(func(t time.Time) any { return t.UnixMilli() })
			return named(connectors.TypeInt64, debezium.NameTimestamp)
		}
		c.conv = c.datetime(func(t time.Time) any { return t.UnixMicro() })
		return named(connectors.TypeInt64, debezium.NameMicroTimestamp)
	case "timestamp":
		fsp := c.fsp
		conv := c.datetime(func(t time.Time) any { return zonedTime(t, fsp) })
		c.conv = func(v any) (any, error) {
			if b, ok := v.([]byte); ok { // a query's text: no time.Time made and formatted
				if s, ok := zonedText(b, fsp); ok {
					return s, nil
				}
			}
			return conv(v)
		}
		return named(connectors.TypeString, debezium.NameZonedTimestamp)
	}
	return nil
}

// nullOnZero wraps a parser of temporal text: MySQL's zero dates
// ("0000-00-00 ...") become null, or Debezium's epoch fallback when the
// column is NOT NULL.
func (c *column) nullOnZero(parse func(string) (any, error)) func(any) (any, error) {
	return stringConv(func(s string) (any, error) {
		if strings.HasPrefix(s, "0000-00-00") || strings.Contains(s[:min(len(s), 10)], "-00") {
			if c.nullable {
				return nil, nil
			}
			return parse("1970-01-01 00:00:00"[:max(len("1970-01-01"), min(len(s), 19))])
		}
		return parse(s)
	})
}

// datetime converts DATETIME and TIMESTAMP values with fromTime: the binlog
// gives them as a time.Time (ParseTime, no text formatted and read back),
// queries and the binlog's zero and pre-1970 values as text (nullOnZero).
func (c *column) datetime(fromTime func(time.Time) any) func(any) (any, error) {
	text := c.nullOnZero(func(s string) (any, error) {
		t, err := parseDateTime(s)
		if err != nil {
			return nil, err
		}
		return fromTime(t), nil
	})
	return func(v any) (any, error) {
		if t, ok := v.(time.Time); ok {
			return fromTime(t), nil
		}
		return text(v)
	}
}

// decimal maps DECIMAL per decimal.handling.mode.
func (c *column) decimal(mode string) *connectors.SchemaBuilder {
	switch mode {
	case "double":
		c.conv = stringConv(func(s string) (any, error) { return strconv.ParseFloat(s, 64) })
		return connectors.NewSchemaBuilder(connectors.TypeFloat64)
	case "string":
		c.conv = toString
		return connectors.NewSchemaBuilder(connectors.TypeString)
	}
	scale := c.scale
	c.conv = stringConv(func(s string) (any, error) { return debezium.Decimal(s, scale) })
	return connectors.DecimalSchema(scale).Parameter("connect.decimal.precision", strconv.FormatInt(c.length, 10))
}

// binary maps the binary types per binary.handling.mode.
func (c *column) binary(mode string) *connectors.SchemaBuilder {
	pad := 0
	if c.dataType == "binary" {
		pad = int(c.length)
	}
	raw := func(v any) ([]byte, error) {
		b, err := toBytes(v)
		if err == nil && len(b) < pad {
			b = append(b, make([]byte, pad-len(b))...)
		}
		return b, err
	}
	switch mode {
	case "base64", "base64-url-safe", "hex":
		enc := map[string]func([]byte) string{"base64": base64.StdEncoding.EncodeToString,
			"base64-url-safe": base64.URLEncoding.EncodeToString, "hex": hex.EncodeToString}[mode]
		c.conv = func(v any) (any, error) { b, err := raw(v); return enc(b), err }
		return connectors.NewSchemaBuilder(connectors.TypeString)
	}
	c.conv = func(v any) (any, error) { return raw(v) }
	return connectors.NewSchemaBuilder(connectors.TypeBytes)
}
