// Package flatten is Kafka Connect's Flatten$Key and Flatten$Value: nested
// Structs or maps become top-level fields named parent<delimiter>child.
package flatten

import (
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is Flatten's configuration, key names as Kafka Connect's.
type Config struct {
	Delimiter string `config:"delimiter" default:"." importance:"medium" doc:"Delimiter to insert between field names from the input record when generating field names for the output record"`
}

const purpose = "flattening"

// Transform is one configured Flatten.
type Transform struct {
	side      operand.Side
	delimiter string
	cache     operand.Cache[*plan]
}

// plan is the flattened schema of one input schema and, per input field,
// where its value goes: an output index for a leaf, a sub-plan for a Struct.
type plan struct {
	schema *connectors.Schema
	root   []node
}

type node struct {
	out      int
	children []node
}

// NewKey configures Flatten$Key.
func NewKey(props map[string]string) (*Transform, error) { return newTransform(props, operand.Key) }

// NewValue configures Flatten$Value.
func NewValue(props map[string]string) (*Transform, error) {
	return newTransform(props, operand.Value)
}

func newTransform(props map[string]string, side operand.Side) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	return &Transform{side: side, delimiter: c.Delimiter}, nil
}

func (t *Transform) name(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + t.delimiter + field
}

// Apply flattens; a null operand passes unchanged.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	schema, v := t.side.Schema(r), t.side.Value(r)
	if v == nil {
		return r, nil
	}
	if schema == nil {
		m, err := operand.RequireMap(v, purpose)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(m))
		if err := t.flattenMap(m, "", out); err != nil {
			return nil, err
		}
		return t.side.Set(r, owned, nil, out), nil
	}
	st, err := operand.RequireStruct(v, purpose)
	if err != nil {
		return nil, err
	}
	p, err := t.cache.GetOrBuild(schema, t.plan)
	if err != nil {
		return nil, err
	}
	out := connectors.NewStruct(p.schema)
	if err := fill(st, p.root, out); err != nil {
		return nil, err
	}
	return t.side.Set(r, owned, p.schema, out), nil
}

func (t *Transform) flattenMap(m map[string]any, prefix string, out map[string]any) error {
	for k, v := range m {
		name := t.name(prefix, k)
		switch x := v.(type) {
		case nil, int8, int16, int32, int64, float32, float64, bool, string, []byte, []any:
			out[name] = v
		case map[string]any:
			if err := t.flattenMap(x, name, out); err != nil {
				return err
			}
		default:
			if schemaType(v) {
				return operand.Data("Flatten transformation does not support class %s for record without schemas (for field %s).", operand.JavaClass(v), name)
			}
			return operand.Data("Flatten transformation was passed a value of type class %s which is not supported by Connect's data API", operand.JavaClass(v))
		}
	}
	return nil
}

func fill(st *connectors.Struct, nodes []node, out *connectors.Struct) error {
	for i, n := range nodes {
		v := operand.FieldValue(st, i, true)
		if n.children == nil {
			if err := operand.Put(out, n.out, v); err != nil {
				return err
			}
			continue
		}
		if sub, ok := v.(*connectors.Struct); ok {
			if err := fill(sub, n.children, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *Transform) plan(in *connectors.Schema) (*plan, error) {
	b := operand.CopyBasics(in, connectors.StructBuilder())
	def, _ := in.Default.(*connectors.Struct)
	n := 0
	root, err := t.build(in, "", b, in.Optional, def, &n)
	if err != nil {
		return nil, err
	}
	s, err := operand.Build(b)
	if err != nil {
		return nil, err
	}
	return &plan{schema: s, root: root}, nil
}

func (t *Transform) build(s *connectors.Schema, prefix string, b *connectors.SchemaBuilder, optional bool, parentDefault *connectors.Struct, n *int) ([]node, error) {
	nodes := make([]node, len(s.Fields))
	for i, f := range s.Fields {
		name := t.name(prefix, f.Name)
		fieldOptional := optional || f.Schema.Optional
		def := f.Schema.Default
		if def == nil && parentDefault != nil {
			def = operand.FieldValue(parentDefault, i, true)
		}
		switch {
		case f.Schema.Type == connectors.TypeStruct:
			sub, _ := def.(*connectors.Struct)
			children, err := t.build(f.Schema, name, b, fieldOptional, sub, n)
			if err != nil {
				return nil, err
			}
			if children == nil {
				children = []node{}
			}
			nodes[i] = node{out: -1, children: children}
		case f.Schema.Type == connectors.TypeMap:
			return nil, operand.Data("Flatten transformation does not support MAP for record with schemas (for field %s).", name)
		default:
			fs, err := leafSchema(f.Schema, fieldOptional, def)
			if err != nil {
				return nil, err
			}
			b.Field(name, fs)
			nodes[i] = node{out: *n}
			*n++
		}
	}
	return nodes, nil
}

// leafSchema is Flatten.convertFieldSchema.
func leafSchema(orig *connectors.Schema, optional bool, def any) (*connectors.Schema, error) {
	var b *connectors.SchemaBuilder
	if orig.Type == connectors.TypeArray {
		b = connectors.ArrayOf(orig.ValueSchema)
	} else {
		b = connectors.NewSchemaBuilder(orig.Type)
	}
	operand.CopyBasics(orig, b)
	if optional {
		b.Optional()
	}
	if def != nil {
		b.DefaultValue(def)
	}
	return operand.Build(b)
}

// schemaType reports whether ConnectSchema.schemaType knows v's class (a
// Struct or a map with non-string keys), as opposed to Date or BigDecimal.
func schemaType(v any) bool {
	switch v.(type) {
	case *connectors.Struct, connectors.MapEntries:
		return true
	}
	return false
}

// Apply runs the transformation on r, which it does not change.
func (t *Transform) Apply(r *connectors.Record) (*connectors.Record, error) { return t.apply(r, false) }

// ApplyInPlace runs the transformation on a record only the chain references,
// changing the record (never its values) instead of copying it.
func (t *Transform) ApplyInPlace(r *connectors.Record, own operand.Owned) (*connectors.Record, error) {
	return t.apply(r, own.Record)
}

// BuildsNew marks that a changed key or value is a new top-level map or Struct.
func (t *Transform) BuildsNew() {}
