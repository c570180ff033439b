package postgrescdc

import (
	"strconv"
	"strings"

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
