package postgrescdc

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// Debezium's semantic type names.
const (
	nameZonedTime  = "io.debezium.time.ZonedTime"
	nameUUID       = "io.debezium.data.Uuid"
	nameXML        = "io.debezium.data.Xml"
	nameVarDecimal = "io.debezium.data.VariableScaleDecimal"
	nameEnum       = "io.debezium.data.Enum"
	// Unavailable is Debezium's placeholder for an unchanged TOASTed value.
	Unavailable = "__debezium_unavailable_value"
)

// PostgreSQL type OIDs ferry maps.
const (
	oidBool        = 16
	oidBytea       = 17
	oidChar        = 18
	oidName        = 19
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidOID         = 26
	oidJSON        = 114
	oidXML         = 142
	oidFloat4      = 700
	oidFloat8      = 701
	oidBPChar      = 1042
	oidVarchar     = 1043
	oidDate        = 1082
	oidTime        = 1083
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidTimetz      = 1266
	oidNumeric     = 1700
	oidUUID        = 2950
	oidJSONB       = 3802
	oidCIDR        = 650
	oidInterval    = 1186
	oidBit         = 1560
	oidMoney       = 790
	oidVarbit      = 1562
	oidMacaddr     = 829
	oidInet        = 869
	oidMacaddr8    = 774
)

// column is one captured column with its Debezium schema.
type column struct {
	name     string
	oid      uint32
	typmod   int32
	typeName string
	nullable bool
	key      bool
	keyPos   int32 // position in the primary key, from 1; 0 when not in it
	// defaultExpr is the column default's expression (pg_get_expr), "" without one.
	defaultExpr string
	// enumLabels are the labels of an enum type, in their order; nil otherwise.
	enumLabels []string
	schema     *connectors.Schema // nil: unsupported type, left out
	scale      int32
	conv       func(string) (any, error)
}

// mapColumn sets the schema and text parser of c as Debezium maps the type
// with decimal.handling.mode and time.precision.mode.
func mapColumn(c *column, cfg *Config) {
	var b *connectors.SchemaBuilder
	prim := func(t connectors.Type) *connectors.SchemaBuilder { return connectors.NewSchemaBuilder(t) }
	named := func(t connectors.Type, name string) *connectors.SchemaBuilder {
		return connectors.NewSchemaBuilder(t).Name(name).Version(1)
	}
	prec := int(c.typmod)
	if prec < 0 {
		prec = 6
	}
	connect := cfg.TimePrecision == "connect"
	switch c.oid {
	case oidBool:
		b, c.conv = prim(connectors.TypeBoolean), parseBool
	case oidInt2:
		b, c.conv = prim(connectors.TypeInt16), intParser(16)
	case oidInt4:
		b, c.conv = prim(connectors.TypeInt32), intParser(32)
	case oidInt8, oidOID:
		b, c.conv = prim(connectors.TypeInt64), intParser(64)
	case oidFloat4:
		b, c.conv = prim(connectors.TypeFloat32), func(s string) (any, error) { f, err := strconv.ParseFloat(s, 32); return float32(f), err }
	case oidFloat8:
		b, c.conv = prim(connectors.TypeFloat64), func(s string) (any, error) { return strconv.ParseFloat(s, 64) }
	case oidNumeric:
		b = c.numeric(cfg.DecimalHandling)
	case oidText, oidVarchar, oidBPChar, oidChar, oidName, oidInet, oidCIDR, oidMacaddr, oidMacaddr8:
		b, c.conv = prim(connectors.TypeString), parseString
	case oidUUID:
		b, c.conv = named(connectors.TypeString, nameUUID), parseString
	case oidJSON, oidJSONB:
		b, c.conv = named(connectors.TypeString, debezium.NameJSON), parseString
	case oidXML:
		b, c.conv = named(connectors.TypeString, nameXML), parseString
	case oidBytea:
		b, c.conv = prim(connectors.TypeBytes), parseBytea
	case oidDate:
		if connect {
			b, c.conv = connectors.DateSchema(), parseConnectDate
		} else {
			b, c.conv = named(connectors.TypeInt32, debezium.NameDate), parseDate
		}
	case oidTime:
		switch {
		case connect:
			b, c.conv = connectors.TimeSchema(), parseConnectTime
		case prec <= 3 && cfg.TimePrecision == "adaptive":
			b, c.conv = named(connectors.TypeInt32, debezium.NameTime), parseTimeMillis
		default:
			b, c.conv = named(connectors.TypeInt64, debezium.NameMicroTime), parseTimeMicros
		}
	case oidTimestamp:
		switch {
		case connect:
			b, c.conv = connectors.TimestampSchema(), parseConnectTimestamp
		case prec <= 3:
			b, c.conv = named(connectors.TypeInt64, debezium.NameTimestamp), parseTimestampMillis
		default:
			b, c.conv = named(connectors.TypeInt64, debezium.NameMicroTimestamp), parseTimestampMicros
		}
	case oidTimestamptz:
		b, c.conv = named(connectors.TypeString, debezium.NameZonedTimestamp), zonedTimestampParser(prec)
	case oidTimetz:
		b, c.conv = named(connectors.TypeString, nameZonedTime), parseZonedTime
	case oidMoney:
		b = c.money(cfg.DecimalHandling)
	case oidBit, oidVarbit:
		if c.oid == oidBit && c.typmod == 1 {
			b, c.conv = prim(connectors.TypeBoolean), func(s string) (any, error) { return s == "1", nil }
			break
		}
		b = named(connectors.TypeBytes, "io.debezium.data.Bits").Parameter("length", strconv.Itoa(max(int(c.typmod), 0)))
		c.conv = parseBits
	case oidInterval:
		b, c.conv = named(connectors.TypeInt64, nameMicroDuration), parseInterval
	default:
		if b = arrayColumn(c, cfg); b != nil {
			break
		}
		if c.enumLabels == nil {
			return
		}
		b = named(connectors.TypeString, nameEnum).Parameter("allowed", strings.Join(c.enumLabels, ","))
		c.conv = parseString
	}
	if c.nullable && !c.key {
		b.Optional()
	}
	varScale := c.oid == oidNumeric && c.typmod < 4 && cfg.DecimalHandling != "double" && cfg.DecimalHandling != "string"
	if lit, ok := defaultLiteral(c.defaultExpr); ok && c.conv != nil && !varScale {
		if v, err := c.conv(lit); err == nil {
			b.DefaultValue(v)
		}
	}
	c.schema = b.MustBuild()
	if c.schema.Name == nameVarDecimal {
		schema := c.schema // the struct value must carry its field's exact schema
		c.conv = func(v string) (any, error) { return parseVarDecimal(v, schema) }
	}
}

// numeric maps NUMERIC: Decimal (with connect.decimal.precision) when
// declared with a precision, VariableScaleDecimal otherwise; or FLOAT64 /
// STRING per decimal.handling.mode.
func (c *column) numeric(mode string) *connectors.SchemaBuilder {
	switch mode {
	case "double":
		c.conv = func(s string) (any, error) { return strconv.ParseFloat(s, 64) }
		return connectors.NewSchemaBuilder(connectors.TypeFloat64)
	case "string":
		c.conv = parseString
		if c.typmod >= 4 { // at the column's scale, as a default "1.5" of numeric(8,3) is "1.500"
			scale := (c.typmod - 4) & 0xffff
			c.conv = func(v string) (any, error) {
				d, err := debezium.Decimal(v, scale)
				if err != nil {
					return v, nil // NaN
				}
				return d.(connectors.Decimal).String(), nil
			}
		}
		return connectors.NewSchemaBuilder(connectors.TypeString)
	}
	if c.typmod < 4 {
		return connectors.StructBuilder().Name(nameVarDecimal).Version(1).Doc("Variable scaled decimal").
			Field("scale", connectors.Int32Schema).Field("value", connectors.BytesSchema)
	}
	p, s := ((c.typmod-4)>>16)&0xffff, (c.typmod-4)&0xffff
	c.scale = s
	c.conv = func(v string) (any, error) { return debezium.Decimal(v, s) }
	return connectors.DecimalSchema(s).Parameter("connect.decimal.precision", strconv.Itoa(int(p)))
}

func parseString(s string) (any, error) { return s, nil }

func parseBool(s string) (any, error) { return s == "t" || s == "true", nil }

func intParser(bits int) func(string) (any, error) {
	return func(s string) (any, error) {
		n, err := strconv.ParseInt(s, 10, bits)
		switch bits {
		case 16:
			return int16(n), err
		case 32:
			return int32(n), err
		}
		return n, err
	}
}

func parseBytea(s string) (any, error) {
	if h, ok := strings.CutPrefix(s, `\x`); ok {
		return hex.DecodeString(h)
	}
	return []byte(s), nil
}

func parseVarDecimal(s string, schema *connectors.Schema) (any, error) {
	d, err := connectors.ParseDecimal(s)
	if err != nil {
		return nil, err
	}
	// Debezium writes the value without trailing zeros (1.50 as 15 scale 1, 100 as 100 scale 0).
	ten, r := big.NewInt(10), new(big.Int)
	for d.Scale > 0 {
		q, m := new(big.Int).QuoRem(d.Unscaled, ten, r)
		if m.Sign() != 0 {
			break
		}
		d.Unscaled, d.Scale = q, d.Scale-1
	}
	st := connectors.NewStruct(schema)
	st.Set(0, d.Scale)
	st.Set(1, connectors.DecimalToBytes(d))
	return st, nil
}

func parseDate(s string) (any, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil, err
	}
	return int32(t.Unix() / 86400), nil
}

func parseConnectDate(s string) (any, error) { return time.Parse("2006-01-02", s) }

func clock(s string) (time.Time, error) { return time.Parse("15:04:05.999999", s) }

func parseTimeMillis(s string) (any, error) {
	t, err := clock(s)
	return int32(t.Sub(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)).Milliseconds()), err
}

func parseTimeMicros(s string) (any, error) {
	t, err := clock(s)
	return t.Sub(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)).Microseconds(), err
}

func parseConnectTime(s string) (any, error) {
	t, err := clock(s)
	return time.Date(1970, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1e6*1e6, time.UTC), err
}

const tsLayout = "2006-01-02 15:04:05.999999"

func parseTimestampMillis(s string) (any, error) {
	t, err := time.Parse(tsLayout, s)
	return t.UnixMilli(), err
}

func parseTimestampMicros(s string) (any, error) {
	t, err := time.Parse(tsLayout, s)
	return t.UnixMicro(), err
}

func parseConnectTimestamp(s string) (any, error) { return time.Parse(tsLayout, s) }

// zonedTimestampParser reads timestamptz text and writes it as Debezium
// does: ISO-8601 in UTC with as many fraction digits as the column's
// precision (6 when undeclared).
func zonedTimestampParser(prec int) func(string) (any, error) {
	layout := "2006-01-02T15:04:05"
	if prec > 0 {
		layout += "." + strings.Repeat("0", prec)
	}
	layout += "Z"
	return func(s string) (any, error) {
		if out, ok := plainUTCTimestamp(s, prec); ok {
			return out, nil
		}
		t, err := time.Parse("2006-01-02 15:04:05.999999Z07", s)
		if err != nil {
			t, err = time.Parse("2006-01-02 15:04:05.999999Z07:00", s)
		}
		if err != nil {
			return nil, fmt.Errorf("timestamptz %q: %w", s, err)
		}
		return t.UTC().Format(layout), nil
	}
}

// plainUTCTimestamp rewrites PostgreSQL's timestamptz text in UTC
// ("2006-01-02 15:04:05[.ffffff]+00", at most prec fraction digits) as
// Debezium's ZonedTimestamp without parsing it; ok is false for any other
// form (another zone, BC, a year past 9999), left to time.Parse.
func plainUTCTimestamp(s string, prec int) (string, bool) {
	if len(s) < 22 || s[len(s)-3:] != "+00" || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return "", false
	}
	frac := s[19 : len(s)-3]
	if frac != "" && (frac[0] != '.' || len(frac) < 2 || len(frac)-1 > prec) {
		return "", false
	}
	for _, r := range [...][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}, {20, len(s) - 3}} {
		for i := r[0]; i < r[1]; i++ {
			if s[i] < '0' || s[i] > '9' {
				return "", false
			}
		}
	}
	var b [40]byte
	out := append(append(append(b[:0], s[:10]...), 'T'), s[11:19]...)
	if prec > 0 {
		out = append(out, '.')
		if frac != "" {
			out = append(out, frac[1:]...)
		}
		for n := max(len(frac)-1, 0); n < prec; n++ {
			out = append(out, '0')
		}
	}
	return string(append(out, 'Z')), true
}

func parseZonedTime(s string) (any, error) {
	t, err := time.Parse("15:04:05.999999Z07", s)
	if err != nil {
		return nil, fmt.Errorf("timetz %q: %w", s, err)
	}
	return t.UTC().Format("15:04:05.999999999Z"), nil
}

var numericLiteral = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$|^(true|false)$`)
})

// defaultLiteral returns the text of a constant column default, as Debezium
// puts it in the schema: a quoted literal with an optional cast, a number or
// a boolean. Function calls (nextval, now, …) are not constants.
func defaultLiteral(expr string) (string, bool) {
	e := strings.TrimSpace(expr)
	for len(e) > 1 && e[0] == '(' && e[len(e)-1] == ')' {
		e = strings.TrimSpace(e[1 : len(e)-1])
	}
	if strings.HasPrefix(e, "'") {
		var b strings.Builder
		for i := 1; i < len(e); i++ {
			if e[i] != '\'' {
				b.WriteByte(e[i])
				continue
			}
			if i+1 < len(e) && e[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			rest := e[i+1:]
			if rest == "" || strings.HasPrefix(rest, "::") && !strings.Contains(rest, "(") {
				return b.String(), true
			}
			return "", false
		}
		return "", false
	}
	if i := strings.Index(e, "::"); i >= 0 {
		e = strings.Trim(e[:i], "() ")
	}
	return e, numericLiteral().MatchString(e)
}

// parseBits reads bit string text ("1011") as Debezium's Bits: the number's
// bytes, least significant first, as few as hold it (none for zero).
func parseBits(s string) (any, error) {
	n, ok := new(big.Int).SetString(s, 2)
	if !ok {
		if s != "" {
			return nil, fmt.Errorf("bit string %q", s)
		}
		n = new(big.Int)
	}
	b := n.Bytes()
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b, nil
}

// money maps MONEY per decimal.handling.mode: a Decimal of scale 2 (money's
// two fraction digits), a double or a string; the text ($1,234.56) loses its
// currency sign and group separators.
func (c *column) money(mode string) *connectors.SchemaBuilder {
	plain := func(s string) string { return strings.NewReplacer("$", "", ",", "").Replace(s) }
	switch mode {
	case "double":
		c.conv = func(s string) (any, error) { return strconv.ParseFloat(plain(s), 64) }
		return connectors.NewSchemaBuilder(connectors.TypeFloat64)
	case "string":
		c.conv = func(s string) (any, error) { return plain(s), nil }
		return connectors.NewSchemaBuilder(connectors.TypeString)
	}
	c.conv = func(s string) (any, error) { return debezium.Decimal(plain(s), 2) }
	return connectors.DecimalSchema(2)
}
