package mysqlcdc

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// Debezium's semantic type names.
const (
	nameDate           = "io.debezium.time.Date"
	nameTime           = "io.debezium.time.Time"
	nameMicroTime      = "io.debezium.time.MicroTime"
	nameTimestamp      = "io.debezium.time.Timestamp"
	nameMicroTimestamp = "io.debezium.time.MicroTimestamp"
	nameZonedTimestamp = "io.debezium.time.ZonedTimestamp"
	nameYear           = "io.debezium.time.Year"
	nameJSON           = "io.debezium.data.Json"
	nameEnum           = "io.debezium.data.Enum"
	nameEnumSet        = "io.debezium.data.EnumSet"
	nameBits           = "io.debezium.data.Bits"
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
		return named(connectors.TypeString, nameJSON)
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
		return named(connectors.TypeInt32, nameDate)
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
			return named(connectors.TypeInt32, nameTime)
		}
		c.conv = stringConv(func(s string) (any, error) { return timeMicros(s) })
		return named(connectors.TypeInt64, nameMicroTime)
	case "datetime":
		switch {
		case connect:
			c.conv = c.nullOnZero(func(s string) (any, error) { t, err := parseDateTime(s); return t.Truncate(time.Millisecond), err })
			return connectors.TimestampSchema()
		case c.fsp <= 3:
			c.conv = c.nullOnZero(func(s string) (any, error) { t, err := parseDateTime(s); return t.UnixMilli(), err })
			return named(connectors.TypeInt64, nameTimestamp)
		}
		c.conv = c.nullOnZero(func(s string) (any, error) { t, err := parseDateTime(s); return t.UnixMicro(), err })
		return named(connectors.TypeInt64, nameMicroTimestamp)
	case "timestamp":
		layout := "2006-01-02T15:04:05"
		if c.fsp > 0 {
			layout += "." + strings.Repeat("0", c.fsp)
		}
		c.conv = c.nullOnZero(func(s string) (any, error) {
			t, err := parseDateTime(s)
			return t.Format(layout) + "Z", err
		})
		return named(connectors.TypeString, nameZonedTimestamp)
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
	c.conv = stringConv(func(s string) (any, error) { return rescale(s, scale) })
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

// intConv reads an integer of the given storage bits (the binlog gives
// unsigned columns as signed values) into a Connect integer of out bits.
func (c *column) intConv(bits, out int) func(any) (any, error) {
	unsigned := c.unsigned
	return func(v any) (any, error) {
		n, err := toInt64(v)
		if err != nil {
			return nil, err
		}
		if unsigned && n < 0 && bits < 64 {
			n += 1 << bits
		}
		switch out {
		case 16:
			return int16(n), nil
		case 32:
			return int32(n), nil
		}
		return n, nil
	}
}

func floatConv(bits int) func(any) (any, error) {
	return func(v any) (any, error) {
		var f float64
		switch x := v.(type) {
		case float32:
			f = float64(x)
		case float64:
			f = x
		default:
			s, err := asString(v)
			if err != nil {
				return nil, err
			}
			if f, err = strconv.ParseFloat(s, bits); err != nil {
				return nil, err
			}
		}
		if bits == 32 {
			return float32(f), nil
		}
		return f, nil
	}
}

// enumConv maps an ENUM value: the binlog gives the 1-based index.
func (c *column) enumConv(v any) (any, error) {
	if s, err := asString(v); err == nil {
		return s, nil
	}
	n, err := toInt64(v)
	if err != nil {
		return nil, err
	}
	if n < 1 || int(n) > len(c.values) {
		return "", nil
	}
	return c.values[n-1], nil
}

// setConv maps a SET value: the binlog gives the member bitmask.
func (c *column) setConv(v any) (any, error) {
	if s, err := asString(v); err == nil {
		return s, nil
	}
	n, err := toInt64(v)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, m := range c.values {
		if n&(1<<i) != 0 {
			out = append(out, m)
		}
	}
	return strings.Join(out, ","), nil
}

func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case uint64:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	}
	s, err := asString(v)
	if err != nil {
		return 0, fmt.Errorf("%T is not an integer", v)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	u, err := strconv.ParseUint(s, 10, 64)
	return int64(u), err
}

func toUint64(v any) (uint64, error) {
	n, err := toInt64(v)
	return uint64(n), err
}

// bitValue reads a BIT value: an integer from the binlog, big-endian bytes
// from a query.
func bitValue(v any) (uint64, error) {
	switch x := v.(type) {
	case []byte:
		var n uint64
		for _, b := range x {
			n = n<<8 | uint64(b)
		}
		return n, nil
	case string:
		return bitValue([]byte(x))
	}
	return toUint64(v)
}

// bitsConv is io.debezium.data.Bits: little-endian bytes of the value,
// (length+7)/8 of them.
func bitsConv(v any, length int) (any, error) {
	n, err := bitValue(v)
	if err != nil {
		return nil, err
	}
	out := make([]byte, (length+7)/8)
	for i := range out {
		out[i] = byte(n >> (8 * i))
	}
	return out, nil
}

func asString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	}
	return "", fmt.Errorf("%T is not text", v)
}

func toString(v any) (any, error) {
	if s, err := asString(v); err == nil {
		return s, nil
	}
	return fmt.Sprint(v), nil
}

func toBytes(v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return append([]byte(nil), x...), nil
	case string:
		return []byte(x), nil
	}
	return nil, fmt.Errorf("%T is not binary", v)
}

func stringConv(parse func(string) (any, error)) func(any) (any, error) {
	return func(v any) (any, error) {
		s, err := asString(v)
		if err != nil {
			return nil, err
		}
		return parse(s)
	}
}

func rescale(s string, scale int32) (any, error) {
	d, err := connectors.ParseDecimal(s)
	if err != nil {
		return nil, err
	}
	u := new(big.Int).Set(d.Unscaled)
	if scale > d.Scale {
		u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-d.Scale)), nil))
	}
	return connectors.Decimal{Unscaled: u, Scale: max(scale, d.Scale)}, nil
}

func dateDays(s string) (any, error) {
	t, err := time.Parse("2006-01-02", s[:min(len(s), 10)])
	if err != nil {
		return nil, err
	}
	return int32(math.Floor(float64(t.Unix()) / 86400)), nil
}

func parseDateTime(s string) (time.Time, error) {
	if len(s) == 10 {
		return time.Parse("2006-01-02", s)
	}
	return time.Parse("2006-01-02 15:04:05.999999", s)
}

// timeMicros reads TIME text ("-838:59:59.000000") into microseconds.
func timeMicros(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	hms, frac, _ := strings.Cut(s, ".")
	parts := strings.Split(hms, ":")
	if len(parts) != 3 {
		return 0, fmt.Errorf("time %q: want hh:mm:ss", s)
	}
	var v [3]int64
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("time %q: %w", s, err)
		}
		v[i] = n
	}
	us := ((v[0]*60+v[1])*60 + v[2]) * 1e6
	if frac != "" {
		f, err := strconv.ParseInt((frac + "000000")[:6], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("time %q: %w", s, err)
		}
		us += f
	}
	if neg {
		us = -us
	}
	return us, nil
}
