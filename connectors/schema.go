// Package connectors holds ferry's record model (Kafka Connect's schemas, structs,
// headers and records), the connector and task contracts, the configuration
// declaration used for validation and docs, and the class-name registry type.
// Each connector lives in its own sub-package; connectors/builtin lists them.
package connectors

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Type is a Kafka Connect schema type.
type Type uint8

// The Kafka Connect schema types, in the order of org.apache.kafka.connect.data.Schema.Type.
const (
	TypeInt8 Type = iota + 1
	TypeInt16
	TypeInt32
	TypeInt64
	TypeFloat32
	TypeFloat64
	TypeBoolean
	TypeString
	TypeBytes
	TypeArray
	TypeMap
	TypeStruct
)

var typeNames = [...]string{"", "INT8", "INT16", "INT32", "INT64", "FLOAT32", "FLOAT64", "BOOLEAN", "STRING", "BYTES", "ARRAY", "MAP", "STRUCT"}

// String returns the Java enum name (INT8, STRUCT, ...), as used in error messages.
func (t Type) String() string {
	if int(t) < len(typeNames) && t != 0 {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", t)
}

// IsPrimitive reports whether t is neither ARRAY, MAP nor STRUCT.
func (t Type) IsPrimitive() bool { return t >= TypeInt8 && t <= TypeBytes }

// ParseType reads a type name case-insensitively (INT8, int8, ...).
func ParseType(s string) (Type, error) {
	u := strings.ToUpper(s)
	for i, n := range typeNames {
		if i > 0 && n == u {
			return Type(i), nil
		}
	}
	return 0, fmt.Errorf("unknown schema type %q", s)
}

// Field is one field of a STRUCT schema.
type Field struct {
	Name   string
	Index  int
	Schema *Schema
}

// Schema describes a value as Kafka Connect's ConnectSchema does. Schemas are
// immutable once built: share them freely, never modify one that is in use.
type Schema struct {
	Type     Type
	Optional bool
	// Default is the default value, in the same Go representation as values.
	Default any
	Name    string
	// Version is the schema version; nil when absent.
	Version *int32
	Doc     string
	// Parameters are written in sorted key order by ferry's converters.
	Parameters map[string]string
	// Fields of a STRUCT, in order.
	Fields []Field
	// KeySchema of a MAP.
	KeySchema *Schema
	// ValueSchema of a MAP, or the element schema of an ARRAY.
	ValueSchema *Schema

	fieldIndex map[string]int
}

// Field returns the named field of a STRUCT schema, or nil.
func (s *Schema) Field(name string) *Field {
	if s.fieldIndex != nil {
		if i, ok := s.fieldIndex[name]; ok {
			return &s.Fields[i]
		}
		return nil
	}
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}

// The plain schemas, shared.
var (
	Int8Schema            = &Schema{Type: TypeInt8}
	Int16Schema           = &Schema{Type: TypeInt16}
	Int32Schema           = &Schema{Type: TypeInt32}
	Int64Schema           = &Schema{Type: TypeInt64}
	Float32Schema         = &Schema{Type: TypeFloat32}
	Float64Schema         = &Schema{Type: TypeFloat64}
	BooleanSchema         = &Schema{Type: TypeBoolean}
	StringSchema          = &Schema{Type: TypeString}
	BytesSchema           = &Schema{Type: TypeBytes}
	OptionalInt8Schema    = &Schema{Type: TypeInt8, Optional: true}
	OptionalInt16Schema   = &Schema{Type: TypeInt16, Optional: true}
	OptionalInt32Schema   = &Schema{Type: TypeInt32, Optional: true}
	OptionalInt64Schema   = &Schema{Type: TypeInt64, Optional: true}
	OptionalFloat32Schema = &Schema{Type: TypeFloat32, Optional: true}
	OptionalFloat64Schema = &Schema{Type: TypeFloat64, Optional: true}
	OptionalBooleanSchema = &Schema{Type: TypeBoolean, Optional: true}
	OptionalStringSchema  = &Schema{Type: TypeString, Optional: true}
	OptionalBytesSchema   = &Schema{Type: TypeBytes, Optional: true}
)

// ErrSchemaBuild is returned when a schema cannot be built (duplicate field, bad default).
var ErrSchemaBuild = errors.New("schema build error")

// SchemaBuilder builds a Schema step by step, like Kafka Connect's SchemaBuilder.
type SchemaBuilder struct {
	s   Schema
	err error
}

// NewSchemaBuilder starts a schema of type t.
func NewSchemaBuilder(t Type) *SchemaBuilder { return &SchemaBuilder{s: Schema{Type: t}} }

// StructBuilder starts a STRUCT schema.
func StructBuilder() *SchemaBuilder { return NewSchemaBuilder(TypeStruct) }

// ArrayOf starts an ARRAY schema of elem.
func ArrayOf(elem *Schema) *SchemaBuilder {
	b := NewSchemaBuilder(TypeArray)
	b.s.ValueSchema = elem
	return b
}

// MapOf starts a MAP schema.
func MapOf(key, value *Schema) *SchemaBuilder {
	b := NewSchemaBuilder(TypeMap)
	b.s.KeySchema, b.s.ValueSchema = key, value
	return b
}

// Optional marks the schema optional.
func (b *SchemaBuilder) Optional() *SchemaBuilder { b.s.Optional = true; return b }

// Name sets the schema name.
func (b *SchemaBuilder) Name(n string) *SchemaBuilder { b.s.Name = n; return b }

// Version sets the schema version.
func (b *SchemaBuilder) Version(v int32) *SchemaBuilder { b.s.Version = &v; return b }

// Doc sets the schema documentation.
func (b *SchemaBuilder) Doc(d string) *SchemaBuilder { b.s.Doc = d; return b }

// Parameter adds one schema parameter.
func (b *SchemaBuilder) Parameter(k, v string) *SchemaBuilder {
	if b.s.Parameters == nil {
		b.s.Parameters = map[string]string{}
	}
	b.s.Parameters[k] = v
	return b
}

// DefaultValue sets the default, validated against the schema when built.
func (b *SchemaBuilder) DefaultValue(v any) *SchemaBuilder { b.s.Default = v; return b }

// Field appends a field to a STRUCT schema; a duplicate name is an error at Build.
func (b *SchemaBuilder) Field(name string, s *Schema) *SchemaBuilder {
	if b.s.Type != TypeStruct {
		b.err = fmt.Errorf("%w: cannot add field %q to a non-struct schema", ErrSchemaBuild, name)
		return b
	}
	for _, f := range b.s.Fields {
		if f.Name == name {
			b.err = fmt.Errorf("%w: cannot create field because of field name duplication %s", ErrSchemaBuild, name)
			return b
		}
	}
	b.s.Fields = append(b.s.Fields, Field{Name: name, Index: len(b.s.Fields), Schema: s})
	return b
}

// Build returns the finished schema or the first error met while building.
func (b *SchemaBuilder) Build() (*Schema, error) {
	if b.err != nil {
		return nil, b.err
	}
	s := b.s
	if len(s.Fields) > 8 {
		s.fieldIndex = make(map[string]int, len(s.Fields))
		for i, f := range s.Fields {
			s.fieldIndex[f.Name] = i
		}
	}
	if s.Default != nil {
		if err := Validate(&s, s.Default); err != nil {
			return nil, fmt.Errorf("%w: invalid default value: %w", ErrSchemaBuild, err)
		}
	}
	return &s, nil
}

// MustBuild is Build for schemas fixed at compile time; it panics on error.
func (b *SchemaBuilder) MustBuild() *Schema {
	s, err := b.Build()
	if err != nil {
		panic(err)
	}
	return s
}

// Equal reports whether two schemas are the same, as ConnectSchema.equals does.
func Equal(a, b *Schema) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	if a.Type != b.Type || a.Optional != b.Optional || a.Name != b.Name || a.Doc != b.Doc ||
		!equalVersion(a.Version, b.Version) || len(a.Fields) != len(b.Fields) ||
		!equalParams(a.Parameters, b.Parameters) || !ValuesEqual(a.Default, b.Default) {
		return false
	}
	for i := range a.Fields {
		if a.Fields[i].Name != b.Fields[i].Name || !Equal(a.Fields[i].Schema, b.Fields[i].Schema) {
			return false
		}
	}
	return Equal(a.KeySchema, b.KeySchema) && Equal(a.ValueSchema, b.ValueSchema)
}

func equalVersion(a, b *int32) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func equalParams(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// SortedParameterKeys returns the parameter names in the order ferry writes them.
func (s *Schema) SortedParameterKeys() []string {
	keys := make([]string, 0, len(s.Parameters))
	for k := range s.Parameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
