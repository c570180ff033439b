// Package avsc is the part of Apache Avro the AvroConverter needs: schemas
// parsed from their JSON text (Parse), their Parsing Canonical Form and its
// SHA-256 fingerprint, and the binary encoding's primitives (Reader,
// Writer). It replaces github.com/hamba/avro, whose reflection-based codecs
// the converter never used but which, through modern-go/reflect2, made the
// Go linker keep every exported method of every type a program puts in an
// interface whenever the protobuf runtime was linked too (docs/lambda.md).
package avsc

// Type is an Avro schema type.
type Type string

// The Avro schema types.
const (
	Record  Type = "record"
	Error   Type = "error"
	Ref     Type = "<ref>"
	Enum    Type = "enum"
	Array   Type = "array"
	Map     Type = "map"
	Union   Type = "union"
	Fixed   Type = "fixed"
	String  Type = "string"
	Bytes   Type = "bytes"
	Int     Type = "int"
	Long    Type = "long"
	Float   Type = "float"
	Double  Type = "double"
	Boolean Type = "boolean"
	Null    Type = "null"
)

// LogicalType is an Avro logical type.
type LogicalType string

// The logical types a schema may carry; others are ignored, as the
// specification requires.
const (
	Decimal              LogicalType = "decimal"
	UUID                 LogicalType = "uuid"
	Date                 LogicalType = "date"
	TimeMillis           LogicalType = "time-millis"
	TimeMicros           LogicalType = "time-micros"
	TimestampMillis      LogicalType = "timestamp-millis"
	TimestampMicros      LogicalType = "timestamp-micros"
	LocalTimestampMillis LogicalType = "local-timestamp-millis"
	LocalTimestampMicros LogicalType = "local-timestamp-micros"
	Duration             LogicalType = "duration"
)

// Schema is a parsed Avro schema.
type Schema interface {
	// Type is the schema's type (Ref for a reference to a named type).
	Type() Type
	// String is the schema's Parsing Canonical Form.
	String() string
	// Fingerprint is the SHA-256 of the Parsing Canonical Form: two schemas
	// with the same one encode data identically.
	Fingerprint() [32]byte
}

// NamedSchema is a record, enum or fixed schema.
type NamedSchema interface {
	Schema
	// Name is the simple name, FullName the name with its namespace.
	Name() string
	FullName() string
}

// LogicalSchema is the logical type of a primitive or fixed schema.
type LogicalSchema interface{ Type() LogicalType }

// props are a schema's JSON attributes, reserved ones included.
type props map[string]any

// Prop returns the attribute name of the schema, nil when absent; numbers
// are float64, as encoding/json decodes them into an any.
func (p props) Prop(name string) any { return plain(p[name]) }

// name is a named type's name.
type name struct{ simple, full string }

// Name is the simple name.
func (n name) Name() string { return n.simple }

// FullName is the name with its namespace.
func (n name) FullName() string { return n.full }

// PrimitiveSchema is null, boolean, int, long, float, double, bytes or string.
type PrimitiveSchema struct {
	props
	typ     Type
	logical LogicalSchema
}

// Type is the primitive type.
func (s *PrimitiveSchema) Type() Type { return s.typ }

// Logical is the logical type, nil when none.
func (s *PrimitiveSchema) Logical() LogicalSchema { return s.logical }

// primitiveLogical is a logical type without parameters.
type primitiveLogical LogicalType

// Type is the logical type.
func (l primitiveLogical) Type() LogicalType { return LogicalType(l) }

// DecimalLogicalSchema is the decimal logical type of bytes or fixed.
type DecimalLogicalSchema struct{ precision, scale int }

// Type is Decimal.
func (*DecimalLogicalSchema) Type() LogicalType { return Decimal }

// Precision is the number of digits.
func (d *DecimalLogicalSchema) Precision() int { return d.precision }

// Scale is the number of digits after the point.
func (d *DecimalLogicalSchema) Scale() int { return d.scale }

// RecordSchema is a record (or error) schema.
type RecordSchema struct {
	props
	name
	doc    string
	fields []*Field
}

// Type is Record.
func (*RecordSchema) Type() Type { return Record }

// Doc is the record's doc attribute.
func (s *RecordSchema) Doc() string { return s.doc }

// Fields are the record's fields, in order.
func (s *RecordSchema) Fields() []*Field { return s.fields }

// Field is a record field.
type Field struct {
	props
	name, doc string
	typ       Schema
	def       any
	hasDef    bool
}

// Name is the field's name.
func (f *Field) Name() string { return f.name }

// Doc is the field's doc attribute.
func (f *Field) Doc() string { return f.doc }

// Type is the field's schema.
func (f *Field) Type() Schema { return f.typ }

// HasDefault reports whether the field declares a default (null included).
func (f *Field) HasDefault() bool { return f.hasDef }

// Default is the field's default converted for its type: int, int64,
// float32, float64, bool, string, []byte (bytes and fixed), []any,
// map[string]any, or nil.
func (f *Field) Default() any { return f.def }

// EnumSchema is an enum schema.
type EnumSchema struct {
	props
	name
	doc     string
	symbols []string
}

// Type is Enum.
func (*EnumSchema) Type() Type { return Enum }

// Doc is the enum's doc attribute.
func (s *EnumSchema) Doc() string { return s.doc }

// Symbols are the enum's symbols, in order.
func (s *EnumSchema) Symbols() []string { return s.symbols }

// Symbol returns symbol i, false when i is out of range.
func (s *EnumSchema) Symbol(i int) (string, bool) {
	if i < 0 || i >= len(s.symbols) {
		return "", false
	}
	return s.symbols[i], true
}

// ArraySchema is an array schema.
type ArraySchema struct {
	props
	items Schema
}

// Type is Array.
func (*ArraySchema) Type() Type { return Array }

// Items is the schema of the elements.
func (s *ArraySchema) Items() Schema { return s.items }

// MapSchema is a map schema.
type MapSchema struct {
	props
	values Schema
}

// Type is Map.
func (*MapSchema) Type() Type { return Map }

// Values is the schema of the values.
func (s *MapSchema) Values() Schema { return s.values }

// FixedSchema is a fixed schema.
type FixedSchema struct {
	props
	name
	size    int
	logical LogicalSchema
}

// Type is Fixed.
func (*FixedSchema) Type() Type { return Fixed }

// Size is the number of bytes.
func (s *FixedSchema) Size() int { return s.size }

// Logical is the logical type, nil when none.
func (s *FixedSchema) Logical() LogicalSchema { return s.logical }

// UnionSchema is a union.
type UnionSchema struct{ types []Schema }

// Type is Union.
func (*UnionSchema) Type() Type { return Union }

// Types are the union's branches, in order.
func (s *UnionSchema) Types() []Schema { return s.types }

// Nullable reports whether the union is null and one other type.
func (s *UnionSchema) Nullable() bool {
	return len(s.types) == 2 && (s.types[0].Type() == Null || s.types[1].Type() == Null)
}

// Indices returns, for a nullable union, the index of null and of the other type.
func (s *UnionSchema) Indices() (null, typ int) {
	if s.types[0].Type() == Null {
		return 0, 1
	}
	return 1, 0
}

// RefSchema is a use of a named type after its definition.
type RefSchema struct{ actual NamedSchema }

// Type is Ref.
func (*RefSchema) Type() Type { return Ref }

// Schema is the named type referred to.
func (s *RefSchema) Schema() NamedSchema { return s.actual }
