package jdbc

import (
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

// kind is how a column's values are converted to Connect values.
type kind uint8

const (
	kUnsupported kind = iota
	kInt8
	kInt16
	kInt32
	kInt64
	kFloat32
	kFloat64
	kBool
	kString
	kBytes
	kDecimal
	kDate
	kTime
	kTimestamp
)

// column is one column of a table or query result, with its Connect mapping.
type column struct {
	name      string
	typeName  string // the database's type name, lower case (int4, varchar, tinyint, ...)
	colType   string // MySQL's full column_type (tinyint(1) unsigned); empty on PostgreSQL
	precision int64  // -1 when the database declares none
	scale     int64  // -1 when the database declares none
	length    int64  // character/bit length, -1 when none
	nullable  bool
	autoInc   bool
	zoned     bool // timestamptz / timetz: values carry their instant
	kind      kind
	decScale  int32
	schema    *connectors.Schema
}

// unconstrainedScale is the Decimal scale ferry gives PostgreSQL NUMERIC
// columns declared without precision and scale (see the README).
const unconstrainedScale = 18

// mapColumn sets c.kind, c.decScale and c.schema as Confluent's dialects map
// the column's JDBC type (GenericDatabaseDialect.addFieldToSchema and the
// PostgreSQL and MySQL overrides). Unsupported types get kUnsupported.
func mapColumn(c *column, d *dialect.Dialect, numericMapping string) {
	var jdbcType string
	if d == dialect.PostgreSQL {
		jdbcType = pgJDBCType(c)
	} else {
		jdbcType = mysqlJDBCType(c)
	}
	c.kind = kUnsupported
	switch jdbcType {
	case "BOOLEAN":
		c.kind = kBool
	case "BIT":
		c.kind = kInt8
	case "TINYINT":
		c.kind = pick(c.unsigned(), kInt16, kInt8)
	case "SMALLINT":
		c.kind = pick(c.unsigned(), kInt32, kInt16)
	case "INTEGER":
		c.kind = pick(c.unsigned(), kInt64, kInt32)
	case "BIGINT":
		c.kind = kInt64
	case "REAL":
		c.kind = kFloat32
	case "DOUBLE":
		c.kind = kFloat64
	case "NUMERIC":
		c.kind = numericKind(c, numericMapping)
	case "DECIMAL":
		c.kind = kDecimal
	case "STRING":
		c.kind = kString
	case "BYTES":
		c.kind = kBytes
	case "DATE":
		c.kind = kDate
	case "TIME":
		c.kind = kTime
	case "TIMESTAMP":
		c.kind = kTimestamp
	}
	if c.kind == kDecimal {
		c.decScale = int32(c.scale)
		if c.precision <= 0 && c.scale <= 0 {
			c.decScale = unconstrainedScale
		}
	}
	c.schema = schemaOf(c.kind, c.decScale, c.nullable)
}

func pick(cond bool, a, b kind) kind {
	if cond {
		return a
	}
	return b
}

func (c *column) unsigned() bool { return strings.Contains(c.colType, "unsigned") }

// numericKind is Confluent's NUMERIC branch: precision_only and best_fit turn
// small-precision numbers into integers (and best_fit scaled ones into
// FLOAT64); everything else is a Decimal.
func numericKind(c *column, mapping string) kind {
	p, s := c.precision, c.scale
	if p <= 0 {
		return kDecimal // unconstrained: no precision to fit
	}
	intKind := func() kind {
		switch {
		case p > 9:
			return kInt64
		case p > 4:
			return kInt32
		case p > 2:
			return kInt16
		}
		return kInt8
	}
	switch mapping {
	case NumericPrecisionOnly:
		if s == 0 && p <= 18 {
			return intKind()
		}
	case NumericBestFit, NumericBestFitEagerDb:
		if p <= 18 && s == 0 {
			return intKind()
		}
		if s > 0 && (p <= 18 || mapping == NumericBestFitEagerDb) {
			return kFloat64
		}
	}
	return kDecimal
}

// pgJDBCType is the java.sql.Types name pgjdbc reports for a PostgreSQL type,
// after PostgreSqlDatabaseDialect's overrides (bit(1) is BOOLEAN; json,
// jsonb and uuid are strings).
func pgJDBCType(c *column) string {
	switch c.typeName {
	case "bool":
		return "BOOLEAN"
	case "bit":
		if c.length == 1 {
			return "BOOLEAN"
		}
	case "int2":
		return "SMALLINT"
	case "int4":
		return "INTEGER"
	case "int8", "oid":
		return "BIGINT"
	case "float4":
		return "REAL"
	case "float8", "money":
		return "DOUBLE"
	case "numeric":
		return "NUMERIC"
	case "varchar", "bpchar", "char", "text", "name", "json", "jsonb", "uuid", "xml", "citext":
		return "STRING"
	case "bytea":
		return "BYTES"
	case "date":
		return "DATE"
	case "time", "timetz":
		c.zoned = c.typeName == "timetz"
		return "TIME"
	case "timestamp", "timestamptz":
		c.zoned = c.typeName == "timestamptz"
		return "TIMESTAMP"
	}
	return ""
}

// mysqlJDBCType is the java.sql.Types name MySQL Connector/J reports with its
// defaults (tinyInt1isBit and yearIsDateType on).
func mysqlJDBCType(c *column) string {
	switch c.typeName {
	case "bit":
		if c.length == 1 || c.precision == 1 {
			return "BIT"
		}
		return "BYTES"
	case "tinyint":
		if strings.HasPrefix(c.colType, "tinyint(1)") {
			return "BIT"
		}
		return "TINYINT"
	case "bool", "boolean":
		return "BIT"
	case "smallint":
		return "SMALLINT"
	case "mediumint", "int", "integer":
		return "INTEGER"
	case "bigint":
		return "BIGINT"
	case "float":
		return "REAL"
	case "double", "real":
		return "DOUBLE"
	case "decimal", "numeric":
		return "DECIMAL"
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json":
		return "STRING"
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return "BYTES"
	case "date", "year":
		return "DATE"
	case "time":
		return "TIME"
	case "datetime", "timestamp":
		return "TIMESTAMP"
	}
	return ""
}

// schemaOf is the Connect schema of a kind.
func schemaOf(k kind, scale int32, optional bool) *connectors.Schema {
	var b *connectors.SchemaBuilder
	switch k {
	case kInt8:
		b = connectors.NewSchemaBuilder(connectors.TypeInt8)
	case kInt16:
		b = connectors.NewSchemaBuilder(connectors.TypeInt16)
	case kInt32:
		b = connectors.NewSchemaBuilder(connectors.TypeInt32)
	case kInt64:
		b = connectors.NewSchemaBuilder(connectors.TypeInt64)
	case kFloat32:
		b = connectors.NewSchemaBuilder(connectors.TypeFloat32)
	case kFloat64:
		b = connectors.NewSchemaBuilder(connectors.TypeFloat64)
	case kBool:
		b = connectors.NewSchemaBuilder(connectors.TypeBoolean)
	case kString:
		b = connectors.NewSchemaBuilder(connectors.TypeString)
	case kBytes:
		b = connectors.NewSchemaBuilder(connectors.TypeBytes)
	case kDecimal:
		b = connectors.DecimalSchema(scale)
	case kDate:
		b = connectors.DateSchema()
	case kTime:
		b = connectors.TimeSchema()
	case kTimestamp:
		b = connectors.TimestampSchema()
	default:
		return nil
	}
	if optional {
		b.Optional()
	}
	return b.MustBuild()
}
