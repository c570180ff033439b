// Package extractfield is Kafka Connect's ExtractField$Key and
// ExtractField$Value: it replaces the key or value with one of its fields,
// named by a top-level name (V1) or a dotted path (V2, KIP-821).
package extractfield

import (
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is ExtractField's configuration, key names as Kafka Connect's.
type Config struct {
	Field         string `config:"field" required:"true" importance:"medium" doc:"Field name to extract."`
	SyntaxVersion string `config:"field.syntax.version" default:"V1" enum:"V1,V2" importance:"high" doc:"Defines the version of the syntax to access fields. If set to V1, then the field paths are limited to access the elements at the root level of the struct or map. If set to V2, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots."`
	ReplaceNull   bool   `config:"replace.null.with.default" default:"true" doc:"Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."`
}

const purpose = "field extraction"

// Transform is one configured ExtractField.
type Transform struct {
	side        operand.Side
	original    string
	path        []string
	replaceNull bool
}

// NewKey configures ExtractField$Key.
func NewKey(props map[string]string) (*Transform, error) { return newTransform(props, operand.Key) }

// NewValue configures ExtractField$Value.
func NewValue(props map[string]string) (*Transform, error) {
	return newTransform(props, operand.Value)
}

func newTransform(props map[string]string, side operand.Side) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	path, err := ParsePath(c.Field, c.SyntaxVersion)
	if err != nil {
		return nil, err
	}
	return &Transform{side: side, original: c.Field, path: path, replaceNull: c.ReplaceNull}, nil
}

// Apply extracts the field.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	v := t.side.Value(r)
	schema := t.side.Schema(r)
	if schema == nil {
		m, err := operand.RequireMapOrNull(v, purpose)
		if err != nil || m == nil {
			return t.side.Set(r, owned, nil, nil), err
		}
		out, err := valueFromMap(m, t.path)
		if err != nil {
			return nil, err
		}
		return t.side.Set(r, owned, nil, out), nil
	}
	st, err := operand.RequireStructOrNull(v, purpose)
	if err != nil {
		return nil, err
	}
	f, err := fieldFrom(schema, t.path)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, operand.IllegalArgument("Unknown field: %s", t.original)
	}
	if st == nil {
		return t.side.Set(r, owned, f.Schema, nil), nil
	}
	out, err := valueFromStruct(st, t.path, t.replaceNull)
	if err != nil {
		return nil, err
	}
	return t.side.Set(r, owned, f.Schema, out), nil
}

func valueFromMap(m map[string]any, path []string) (any, error) {
	for _, step := range path[:len(path)-1] {
		next, err := operand.RequireMapOrNull(m[step], "nested field access")
		if err != nil || next == nil {
			return nil, err
		}
		m = next
	}
	return m[path[len(path)-1]], nil
}

func fieldFrom(s *connectors.Schema, path []string) (*connectors.Field, error) {
	for _, step := range path[:len(path)-1] {
		if s.Type != connectors.TypeStruct {
			return nil, operand.Data("Cannot look up fields on non-struct type")
		}
		f := s.Field(step)
		if f == nil {
			return nil, nil
		}
		s = f.Schema
	}
	if s.Type != connectors.TypeStruct {
		return nil, operand.Data("Cannot look up fields on non-struct type")
	}
	return s.Field(path[len(path)-1]), nil
}

func valueFromStruct(st *connectors.Struct, path []string, withDefault bool) (any, error) {
	for _, step := range path[:len(path)-1] {
		f := st.Schema().Field(step)
		if f == nil {
			return nil, operand.Data("%s is not a valid field name", step)
		}
		next, err := operand.RequireStructOrNull(operand.FieldValue(st, f.Index, withDefault), "nested field access")
		if err != nil || next == nil {
			return nil, err
		}
		st = next
	}
	last := path[len(path)-1]
	f := st.Schema().Field(last)
	if f == nil {
		return nil, operand.Data("%s is not a valid field name", last)
	}
	return operand.FieldValue(st, f.Index, withDefault), nil
}

// Apply runs the transformation on r, which it does not change.
func (t *Transform) Apply(r *connectors.Record) (*connectors.Record, error) { return t.apply(r, false) }

// ApplyInPlace runs the transformation on a record only the chain references,
// changing the record (never its values) instead of copying it.
func (t *Transform) ApplyInPlace(r *connectors.Record, own operand.Owned) (*connectors.Record, error) {
	return t.apply(r, own.Record)
}
