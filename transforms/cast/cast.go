// Package cast is Kafka Connect's Cast$Key and Cast$Value: it casts fields,
// or the whole key or value, to another primitive type with Java's
// conversion rules.
package cast

import (
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is Cast's configuration, key names as Kafka Connect's.
type Config struct {
	Spec        []string `config:"spec" required:"true" importance:"high" doc:"List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string."`
	ReplaceNull bool     `config:"replace.null.with.default" default:"true" doc:"Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."`
}

const (
	purpose = "cast types"
	outputs = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
	inputs  = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
)

// Transform is one configured Cast.
type Transform struct {
	side        operand.Side
	casts       map[string]connectors.Type
	names       []string
	whole       connectors.Type
	replaceNull bool
	cache       operand.Cache[*plan]
}

// plan is the output schema for one input schema and, per field, the type
// it is cast to (0: copied as is).
type plan struct {
	schema  *connectors.Schema
	targets []connectors.Type
}

// NewKey configures Cast$Key.
func NewKey(props map[string]string) (*Transform, error) { return newTransform(props, operand.Key) }

// NewValue configures Cast$Value.
func NewValue(props map[string]string) (*Transform, error) {
	return newTransform(props, operand.Value)
}

func newTransform(props map[string]string, side operand.Side) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	bad := func(reason string) error {
		return &connectors.ConfigError{Key: "spec", Value: "[" + strings.Join(c.Spec, ", ") + "]", Reason: reason}
	}
	if len(c.Spec) == 0 {
		return nil, bad("Must specify at least one field to cast.")
	}
	t := &Transform{side: side, casts: map[string]connectors.Type{}, replaceNull: c.ReplaceNull}
	for _, m := range c.Spec {
		parts := strings.Split(m, ":")
		for len(parts) > 1 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		if len(parts) > 2 {
			return nil, bad("Invalid rename mapping: " + m)
		}
		name := strings.TrimSpace(parts[len(parts)-1])
		typ, err := connectors.ParseType(name)
		if err != nil {
			return nil, bad("Invalid type found in casting spec: " + name)
		}
		if !typ.IsPrimitive() || typ == connectors.TypeBytes {
			return nil, bad(fmt.Sprintf("Cast transformation does not support casting to %s; supported types are %s", typ, outputs))
		}
		if len(parts) == 1 {
			t.whole = typ
			continue
		}
		field := strings.TrimSpace(parts[0])
		if _, dup := t.casts[field]; !dup {
			t.names = append(t.names, field)
		}
		t.casts[field] = typ
	}
	if t.whole != 0 && len(c.Spec) > 1 {
		return nil, bad("Cast transformations that specify a type to cast the entire value to may ony specify a single cast in their spec")
	}
	return t, nil
}

// Apply casts; a null operand passes unchanged.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	schema, v := t.side.Schema(r), t.side.Value(r)
	if v == nil {
		return r, nil
	}
	if schema == nil {
		return t.schemaless(r, v, owned)
	}
	p, err := t.cache.GetOrBuild(schema, t.plan)
	if err != nil {
		return nil, err
	}
	out := p.schema
	if t.whole != 0 {
		res, err := castValue(schema, v, t.whole)
		if err != nil {
			return nil, err
		}
		return t.side.Set(r, owned, out, res), nil
	}
	st, err := operand.RequireStruct(v, purpose)
	if err != nil {
		return nil, err
	}
	if st.Schema() != schema && !connectors.Equal(st.Schema(), schema) {
		if p, err = t.plan(st.Schema()); err != nil {
			return nil, err
		}
	}
	res := connectors.NewStruct(out)
	if err := t.castFields(st, res, p.targets, out.Fields); err != nil {
		return nil, err
	}
	return t.side.Set(r, owned, out, res), nil
}

func (t *Transform) schemaless(r *connectors.Record, v any, owned bool) (*connectors.Record, error) {
	if t.whole != 0 {
		res, err := castValue(nil, v, t.whole)
		if err != nil {
			return nil, err
		}
		return t.side.Set(r, owned, nil, res), nil
	}
	m, err := operand.RequireMap(v, purpose)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m)+len(t.names))
	for k, x := range m {
		out[k] = x
	}
	for _, f := range t.names {
		if out[f], err = castValue(nil, m[f], t.casts[f]); err != nil {
			return nil, err
		}
	}
	return t.side.Set(r, owned, nil, out), nil
}

func (t *Transform) plan(in *connectors.Schema) (*plan, error) {
	s, err := t.buildSchema(in)
	if err != nil {
		return nil, err
	}
	p := &plan{schema: s, targets: make([]connectors.Type, len(in.Fields))}
	for i, f := range in.Fields {
		p.targets[i] = t.casts[f.Name]
	}
	return p, nil
}

func (t *Transform) buildSchema(in *connectors.Schema) (*connectors.Schema, error) {
	var b *connectors.SchemaBuilder
	if t.whole != 0 {
		b = operand.CopyBasics(in, connectors.NewSchemaBuilder(t.whole))
	} else {
		if err := operand.RequireStructSchema(in); err != nil {
			return nil, err
		}
		b = operand.CopyBasics(in, connectors.StructBuilder())
		for _, f := range in.Fields {
			typ, ok := t.casts[f.Name]
			if !ok {
				b.Field(f.Name, f.Schema)
				continue
			}
			fb := connectors.NewSchemaBuilder(typ)
			if f.Schema.Optional {
				fb.Optional()
			}
			if f.Schema.Default != nil {
				d, err := castValue(f.Schema, f.Schema.Default, typ)
				if err != nil {
					return nil, err
				}
				fb.DefaultValue(d)
			}
			fs, err := operand.Build(fb)
			if err != nil {
				return nil, err
			}
			b.Field(f.Name, fs)
		}
	}
	if in.Optional {
		b.Optional()
	}
	s, err := operand.Build(b)
	if err != nil {
		return nil, err
	}
	if in.Default != nil {
		d, err := castValue(in, in.Default, s.Type)
		if err != nil {
			return nil, err
		}
		s.Default = d
	}
	return s, nil
}

// Apply runs the transformation on r, which it does not change.
func (t *Transform) Apply(r *connectors.Record) (*connectors.Record, error) { return t.apply(r, false) }

// ApplyInPlace runs the transformation on a record only the chain references,
// changing the record, and its top-level map or Struct when the chain owns
// it, instead of copying them.
func (t *Transform) ApplyInPlace(r *connectors.Record, own operand.Owned) (*connectors.Record, error) {
	schema := t.side.Schema(r)
	if st, ok := t.side.Value(r).(*connectors.Struct); ok && t.whole == 0 && t.side.Owns(own) && schema != nil && st.Schema() == schema {
		return t.castStruct(r, st)
	}
	if m, ok := t.side.Value(r).(map[string]any); ok && t.whole == 0 && t.side.Owns(own) && t.side.Schema(r) == nil {
		for _, f := range t.names {
			v, err := castValue(nil, m[f], t.casts[f])
			if err != nil {
				return nil, err
			}
			m[f] = v
		}
		return r, nil
	}
	return t.apply(r, own.Record)
}

// castStruct casts the fields of st, a Struct the chain owns whose schema is
// the record's, in place; the Struct takes the output schema last.
func (t *Transform) castStruct(r *connectors.Record, st *connectors.Struct) (*connectors.Record, error) {
	p, err := t.cache.GetOrBuild(st.Schema(), t.plan)
	if err != nil {
		return nil, err
	}
	if err := t.castFields(st, st, p.targets, p.schema.Fields); err != nil {
		return nil, err
	}
	st.Reshape(p.schema)
	return t.side.Set(r, true, p.schema, st), nil
}

// castFields writes every field of in (read with in's schema defaults), cast
// to its target type where it has one, into out, which may be in itself
// (then only the fields that change are written); fields are out's fields,
// for Struct.put's check of required fields.
func (t *Transform) castFields(in, out *connectors.Struct, targets []connectors.Type, fields []connectors.Field) error {
	for i, f := range in.Schema().Fields {
		typ := targets[i]
		if out == in && typ == 0 && in.At(i) != nil {
			continue // stays: no default, no required-field check
		}
		x := operand.FieldValue(in, i, t.replaceNull)
		if typ != 0 {
			var err error
			if x, err = castValue(f.Schema, x, typ); err != nil {
				return err
			}
		}
		if err := operand.Required(&fields[i], x); err != nil {
			return err
		}
		out.Set(i, x)
	}
	return nil
}

// BuildsNew marks that a changed key or value is a new top-level map or Struct.
func (t *Transform) BuildsNew() {}
