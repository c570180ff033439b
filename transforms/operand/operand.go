// Package operand is what Kafka Connect's transforms share from
// org.apache.kafka.connect.transforms.util: the key or value side a $Key/$Value
// transformation works on, the Requirements checks with their exact messages,
// SchemaUtil.copySchemaBasics, the per-schema cache, and the DataException
// type every per-record failure of a transformation is.
package operand

import (
	"fmt"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// Side selects the part of a record a $Key or $Value transformation changes.
type Side bool

// The two sides.
const (
	Key   Side = true
	Value Side = false
)

// Schema returns the side's schema.
func (s Side) Schema(r *connectors.Record) *connectors.Schema {
	if s == Key {
		return r.KeySchema
	}
	return r.ValueSchema
}

// Value returns the side's value.
func (s Side) Value(r *connectors.Record) any {
	if s == Key {
		return r.Key
	}
	return r.Value
}

// With returns a copy of r (headers duplicated, as ConnectRecord.newRecord)
// whose side is replaced by schema and value.
func (s Side) With(r *connectors.Record, schema *connectors.Schema, value any) *connectors.Record {
	c := r.Clone()
	if s == Key {
		c.KeySchema, c.Key = schema, value
	} else {
		c.ValueSchema, c.Value = schema, value
	}
	return c
}

// Error is a per-record failure of a transformation, carrying the Java
// exception class Kafka Connect throws in the same case and its message.
type Error struct {
	// Exception is the simple Java class name: DataException, IllegalArgumentException, ...
	Exception string
	Msg       string
}

// Error returns the Java exception message.
func (e *Error) Error() string { return e.Msg }

// Unwrap makes errors.Is(err, connectors.ErrData) true for DataExceptions.
func (e *Error) Unwrap() error {
	if e.Exception == "DataException" {
		return connectors.ErrData
	}
	return nil
}

// Data returns a DataException with Kafka Connect's message.
func Data(format string, args ...any) error {
	return &Error{Exception: "DataException", Msg: fmt.Sprintf(format, args...)}
}

// IllegalArgument returns an IllegalArgumentException with Kafka Connect's message.
func IllegalArgument(format string, args ...any) error {
	return &Error{Exception: "IllegalArgumentException", Msg: fmt.Sprintf(format, args...)}
}

// RequireStruct is Requirements.requireStruct.
func RequireStruct(v any, purpose string) (*connectors.Struct, error) {
	st, ok := v.(*connectors.Struct)
	if !ok {
		return nil, Data("Only Struct objects supported for [%s], found: %s", purpose, JavaClass(v))
	}
	return st, nil
}

// RequireMap is Requirements.requireMap.
func RequireMap(v any, purpose string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, Data("Only Map objects supported in absence of schema for [%s], found: %s", purpose, JavaClass(v))
	}
	return m, nil
}

// RequireMapOrNull is Requirements.requireMapOrNull.
func RequireMapOrNull(v any, purpose string) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	return RequireMap(v, purpose)
}

// RequireStructOrNull is Requirements.requireStructOrNull.
func RequireStructOrNull(v any, purpose string) (*connectors.Struct, error) {
	if v == nil {
		return nil, nil
	}
	return RequireStruct(v, purpose)
}

// RequireSinkRecord is Requirements.requireSinkRecord: a record read from
// Kafka (one with an offset) is a SinkRecord, a source record is not.
func RequireSinkRecord(r *connectors.Record, purpose string) error {
	if r.SourcePartition != nil || r.Offset < 0 {
		return Data("Only SinkRecord supported for [%s], found: org.apache.kafka.connect.source.SourceRecord", purpose)
	}
	return nil
}

// JavaClass names the Java class Kafka Connect would hold for a Go value.
func JavaClass(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case int8:
		return "java.lang.Byte"
	case int16:
		return "java.lang.Short"
	case int32:
		return "java.lang.Integer"
	case int64:
		return "java.lang.Long"
	case float32:
		return "java.lang.Float"
	case float64:
		return "java.lang.Double"
	case bool:
		return "java.lang.Boolean"
	case string:
		return "java.lang.String"
	case []byte:
		return "[B"
	case []any:
		return "java.util.ArrayList"
	case map[string]any, connectors.MapEntries:
		return "java.util.HashMap"
	case *connectors.Struct:
		return "org.apache.kafka.connect.data.Struct"
	case connectors.Decimal:
		return "java.math.BigDecimal"
	case time.Time:
		return "java.util.Date"
	}
	return fmt.Sprintf("%T", v)
}

// Set is With for a record the chain owns (owned: no one else references
// it), which is changed in place instead of copied.
func (s Side) Set(r *connectors.Record, owned bool, schema *connectors.Schema, value any) *connectors.Record {
	if !owned {
		return s.With(r, schema, value)
	}
	if s == Key {
		r.KeySchema, r.Key = schema, value
	} else {
		r.ValueSchema, r.Value = schema, value
	}
	return r
}
