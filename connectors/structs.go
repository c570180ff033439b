package connectors

import "strings"

// Struct is a value of a STRUCT schema, as Kafka Connect's Struct.
type Struct struct {
	schema *Schema
	values []any
}

// NewStruct returns an empty struct of schema s, which must be a STRUCT schema.
func NewStruct(s *Schema) *Struct {
	return &Struct{schema: s, values: make([]any, len(s.Fields))}
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
