package connectors

import (
	"strings"
	"unsafe"
)

// Struct is a value of a STRUCT schema, as Kafka Connect's Struct.
type Struct struct {
	schema *Schema
	values []any
}

// NewStruct returns an empty struct of schema s, which must be a STRUCT
// schema. Up to 64 fields, the Struct and its values are one allocation.
func NewStruct(s *Schema) *Struct {
	n := len(s.Fields)
	if n < len(structBlocks) {
		return structBlocks[n](s, n)
	}
	return &Struct{schema: s, values: make([]any, n)}
}

// structBlocks[n] allocates a Struct of n fields and its values together.
// The value counts are those whose block (32 bytes of Struct, 16 per value)
// fills one of Go's malloc size classes, so rounding up wastes no memory.
var structBlocks = func() (t [65]func(*Schema, int) *Struct) {
	sized := []struct {
		n     int
		alloc func(*Schema, int) *Struct
	}{{1, inBlock[[1]any]}, {2, inBlock[[2]any]}, {3, inBlock[[3]any]}, {4, inBlock[[4]any]},
		{5, inBlock[[5]any]}, {6, inBlock[[6]any]}, {7, inBlock[[7]any]}, {8, inBlock[[8]any]},
		{9, inBlock[[9]any]}, {10, inBlock[[10]any]}, {11, inBlock[[11]any]}, {12, inBlock[[12]any]},
		{13, inBlock[[13]any]}, {14, inBlock[[14]any]}, {16, inBlock[[16]any]}, {18, inBlock[[18]any]},
		{20, inBlock[[20]any]}, {22, inBlock[[22]any]}, {24, inBlock[[24]any]}, {26, inBlock[[26]any]},
		{28, inBlock[[28]any]}, {30, inBlock[[30]any]}, {34, inBlock[[34]any]}, {38, inBlock[[38]any]},
		{42, inBlock[[42]any]}, {46, inBlock[[46]any]}, {54, inBlock[[54]any]}, {62, inBlock[[62]any]},
		{64, inBlock[[64]any]}}
	n := 0
	for _, b := range sized {
		for ; n <= b.n; n++ {
			t[n] = b.alloc
		}
	}
	return t
}()

// inBlock allocates a Struct of n fields with an array A of at least n
// values (an array of any) in one allocation.
func inBlock[A any](s *Schema, n int) *Struct {
	b := new(struct {
		st Struct
		v  A
	})
	all := unsafe.Slice((*any)(unsafe.Pointer(&b.v)), unsafe.Sizeof(b.v)/unsafe.Sizeof(any(nil)))
	b.st = Struct{schema: s, values: all[:n]} // cap: Reshape grows into the rest
	return &b.st
}

// Reshape gives st the STRUCT schema s in place: values keep their indexes,
// values past the new field count are dropped and new fields start null. It
// is for a transformation turning a Struct only it references into its
// output shape instead of copying it; the caller makes the values valid.
func (st *Struct) Reshape(s *Schema) {
	n := len(s.Fields)
	switch {
	case n <= len(st.values):
		clear(st.values[n:]) // the slots past len stay null for a later growth
		st.values = st.values[:n]
	case n <= cap(st.values):
		st.values = st.values[:n]
	default:
		v := make([]any, n)
		copy(v, st.values)
		st.values = v
	}
	st.schema = s
}

// StructSlab allocates Structs and their field values in blocks, for a
// source generating many: a struct costs a share of two block allocations
// instead of two of its own, and the numbers and strings boxed by its Int64,
// Int32, Float64, String and FormatInt a share of one more. A block stays
// reachable while any struct or value cut from it is. The zero value is
// ready to use; not safe for concurrent use.
type StructSlab struct {
	structs []Struct
	values  []any
	words   []uint64 // boxed numbers' data
	strs    []string // boxed strings' headers
	text    []byte   // formatted numbers' bytes, appended and never rewritten
}

// slabStructs is how many structs (and, times 8, field values) a block holds.
const slabStructs = 256

// New returns an empty struct of schema s, as NewStruct does.
func (sl *StructSlab) New(s *Schema) *Struct {
	n := len(s.Fields)
	if len(sl.structs) == 0 {
		sl.structs = make([]Struct, slabStructs)
	}
	if len(sl.values) < n {
		sl.values = make([]any, max(n, 8*slabStructs))
	}
	st := &sl.structs[0]
	sl.structs = sl.structs[1:]
	*st = Struct{schema: s, values: sl.values[:n:n]}
	sl.values = sl.values[n:]
	return st
}

// Schema returns the struct's schema.
func (st *Struct) Schema() *Schema { return st.schema }

// Put sets a field, validating the value against the field schema.
func (st *Struct) Put(name string, v any) error {
	f := st.schema.Field(name)
	if f == nil {
		return DataError("%s is not a valid field name", name)
	}
	if err := Validate(f.Schema, v); err != nil {
		return err
	}
	st.values[f.Index] = v
	return nil
}

// MustPut is Put for values known to be valid; it panics otherwise.
func (st *Struct) MustPut(name string, v any) *Struct {
	if err := st.Put(name, v); err != nil {
		panic(err)
	}
	return st
}

// Set stores v at field index i without validation: for hot paths whose values
// already come from a validated source (converters, transforms copying fields).
func (st *Struct) Set(i int, v any) { st.values[i] = v }

// CopyTo copies st's values into dst's first fields, as many as both have,
// without validation, and returns how many: for a transformation whose
// output schema starts with its input's fields (one copy, not one Set each).
func (st *Struct) CopyTo(dst *Struct) int { return copy(dst.values, st.values) }

// At returns the raw value at field index i (no default substitution).
func (st *Struct) At(i int) any { return st.values[i] }

// Get returns a field's value, or the field's default when the value is null.
func (st *Struct) Get(name string) (any, error) {
	f := st.schema.Field(name)
	if f == nil {
		return nil, DataError("%s is not a valid field name", name)
	}
	if v := st.values[f.Index]; v != nil {
		return v, nil
	}
	return f.Schema.Default, nil
}

// GetRaw returns a field's value without default substitution.
func (st *Struct) GetRaw(name string) (any, error) {
	f := st.schema.Field(name)
	if f == nil {
		return nil, DataError("%s is not a valid field name", name)
	}
	return st.values[f.Index], nil
}

// Validate checks every field value against its schema (required fields set).
func (st *Struct) Validate() error {
	for i, f := range st.schema.Fields {
		if err := Validate(f.Schema, st.values[i]); err != nil {
			if st.values[i] == nil {
				return DataError("Invalid value: null used for required field: \"%s\", schema type: %s", f.Name, f.Schema.Type)
			}
			return err
		}
	}
	return nil
}

// Equal compares schema and values.
func (st *Struct) Equal(o *Struct) bool {
	if st == nil || o == nil {
		return st == o
	}
	if !Equal(st.schema, o.schema) || len(st.values) != len(o.values) {
		return false
	}
	for i := range st.values {
		if !ValuesEqual(st.values[i], o.values[i]) {
			return false
		}
	}
	return true
}

// String renders the struct as Kafka Connect does: Struct{a=1,b=x}.
func (st *Struct) String() string {
	var b strings.Builder
	b.WriteString("Struct{")
	first := true
	for i, f := range st.schema.Fields {
		if st.values[i] == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(f.Name)
		b.WriteByte('=')
		b.WriteString(formatAny(st.values[i]))
	}
	b.WriteByte('}')
	return b.String()
}
