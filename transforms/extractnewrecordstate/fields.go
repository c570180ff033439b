package extractnewrecordstate

import (
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// ref is one add.fields / add.headers entry: a field of the envelope, of its
// source block or of its transaction block, and the name it gets.
type ref struct {
	parent, field, name string
}

func parseRefs(list []string, prefix, key string) ([]ref, error) {
	out := make([]ref, 0, len(list))
	for _, item := range list {
		parts := strings.Split(item, ":")
		path := strings.Split(parts[0], ".")
		r := ref{field: path[0]}
		if len(path) > 1 {
			r.parent, r.field = path[0], path[1]
			r.name = prefix + r.parent + "_" + r.field
		} else {
			r.parent = parentOf(r.field)
			r.name = prefix + r.field
		}
		if len(parts) == 2 {
			r.name = prefix + parts[1]
		} else if len(parts) > 2 {
			return nil, &connectors.ConfigError{Key: key, Value: strings.Join(list, ","), Reason: "invalid field reference: " + item}
		}
		out = append(out, r)
	}
	return out, nil
}

// parentOf is Debezium's FieldReference.determineStruct.
func parentOf(f string) string {
	switch f {
	case "op", "ts_ms", "ts_us", "ts_ns":
		return ""
	case "id", "data_collection_order", "total_order":
		return "transaction"
	}
	return "source"
}

// read returns the referenced schema (made optional) and value.
func (r ref) read(env *connectors.Struct) (*connectors.Schema, any, error) {
	s, st := env.Schema(), env
	if r.parent != "" {
		pf := s.Field(r.parent)
		if pf == nil {
			return nil, nil, operand.IllegalArgument("Unexpected field name: %s", r.parent)
		}
		s = pf.Schema
		st, _ = operand.FieldValue(env, pf.Index, true).(*connectors.Struct)
	}
	if s.Type != connectors.TypeStruct {
		return nil, nil, operand.IllegalArgument("Unexpected field name: %s", r.field)
	}
	f := s.Field(r.field)
	if f == nil {
		return nil, nil, operand.IllegalArgument("Unexpected field name: %s", r.field)
	}
	fs, err := optional(f.Schema)
	if err != nil {
		return nil, nil, err
	}
	if st == nil {
		return fs, nil, nil
	}
	return fs, operand.FieldValue(st, f.Index, true), nil
}

func optional(s *connectors.Schema) (*connectors.Schema, error) {
	if s.Optional {
		return s, nil
	}
	c := *s
	c.Optional = true
	return &c, nil
}

// extract returns the record whose value is the before or after state, with
// add.fields and, in rewrite mode, __deleted appended.
func (t *Transform) extract(r *connectors.Record, env *connectors.Struct, from, deleted string) (*connectors.Record, error) {
	f := env.Schema().Field(from)
	if f == nil {
		return nil, operand.IllegalArgument("Unknown field: %s", from)
	}
	state, _ := operand.FieldValue(env, f.Index, t.replaceNull).(*connectors.Struct)
	rewrite := t.mode.deletes == "rewrite"
	if state == nil {
		return operand.Value.With(r, f.Schema, nil), nil
	}
	schema, err := t.cache.GetOrBuild(state.Schema(), func(in *connectors.Schema) (*connectors.Schema, error) {
		return t.extendedSchema(in, env, rewrite)
	})
	if err != nil {
		return nil, err
	}
	out := connectors.NewStruct(schema)
	n := len(state.Schema().Fields)
	for i := 0; i < n; i++ {
		out.Set(i, state.At(i))
	}
	if rewrite {
		out.Set(n, deleted)
		n++
	}
	for i, ref := range t.fields {
		_, v, err := ref.read(env)
		if err != nil {
			return nil, err
		}
		out.Set(n+i, v)
	}
	return operand.Value.With(r, schema, out), nil
}

func (t *Transform) extendedSchema(in *connectors.Schema, env *connectors.Struct, rewrite bool) (*connectors.Schema, error) {
	b := operand.CopyBasics(in, connectors.StructBuilder())
	for _, f := range in.Fields {
		b.Field(f.Name, f.Schema)
	}
	if rewrite {
		b.Field("__deleted", connectors.OptionalStringSchema)
	}
	for _, ref := range t.fields {
		s, _, err := ref.read(env)
		if err != nil {
			return nil, err
		}
		b.Field(ref.name, s)
	}
	return operand.Build(b)
}
