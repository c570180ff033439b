// Package headerfrom is Kafka Connect's HeaderFrom$Key and HeaderFrom$Value:
// it copies or moves fields of the key or value into headers.
package headerfrom

import (
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is HeaderFrom's configuration, key names as Kafka Connect's.
type Config struct {
	Fields      []string `config:"fields" required:"true" importance:"medium" doc:"Field names in the record whose values are to be copied or moved to headers."`
	Headers     []string `config:"headers" required:"true" importance:"medium" doc:"Header names, in the same order as the field names listed in the fields configuration property."`
	Operation   string   `config:"operation" required:"true" importance:"medium" doc:"Either move if the fields are to be moved to the headers (removed from the key/value), or copy if the fields are to be copied to the headers (retained in the key/value)."`
	ReplaceNull bool     `config:"replace.null.with.default" default:"true" doc:"Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."`
}

// Transform is one configured HeaderFrom.
type Transform struct {
	side            operand.Side
	fields, headers []string
	move            bool
	purpose         string
	replaceNull     bool
	cache           operand.Cache[*connectors.Schema]
}

// NewKey configures HeaderFrom$Key.
func NewKey(props map[string]string) (*Transform, error) { return newTransform(props, operand.Key) }

// NewValue configures HeaderFrom$Value.
func NewValue(props map[string]string) (*Transform, error) {
	return newTransform(props, operand.Value)
}

func newTransform(props map[string]string, side operand.Side) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	if len(c.Fields) == 0 {
		return nil, &connectors.ConfigError{Key: "fields", Value: "[]", Reason: "Empty list"}
	}
	if len(c.Headers) == 0 {
		return nil, &connectors.ConfigError{Key: "headers", Value: "[]", Reason: "Empty list"}
	}
	if c.Operation != "move" && c.Operation != "copy" {
		return nil, &connectors.ConfigError{Key: "operation", Value: c.Operation, Reason: "String must be one of: move, copy"}
	}
	if len(c.Fields) != len(c.Headers) {
		return nil, &connectors.ConfigError{Key: "headers", Value: props["headers"],
			Reason: "'fields' config must have the same number of elements as 'headers' config."}
	}
	return &Transform{side: side, fields: c.Fields, headers: c.Headers, move: c.Operation == "move",
		purpose: "header " + c.Operation, replaceNull: c.ReplaceNull}, nil
}

func (t *Transform) isListed(name string) bool {
	for _, f := range t.fields {
		if f == name {
			return true
		}
	}
	return false
}

// Apply adds the headers and, for move, removes the fields.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	schema, v := t.side.Schema(r), t.side.Value(r)
	if schema == nil {
		m, err := operand.RequireMap(v, t.purpose)
		if err != nil {
			return nil, err
		}
		out := t.side.Set(r, owned, nil, m)
		if t.move {
			cp := make(map[string]any, len(m))
			for k, x := range m {
				if !t.isListed(k) {
					cp[k] = x
				}
			}
			out = t.side.Set(r, owned, nil, cp)
		}
		for i, f := range t.fields {
			out.Headers = append(out.Headers, connectors.Header{Key: t.headers[i], Value: m[f]})
		}
		return out, nil
	}
	st, err := operand.RequireStruct(v, t.purpose)
	if err != nil {
		return nil, err
	}
	out := t.side.Set(r, owned, schema, st)
	if t.move {
		if out, err = t.moved(r, st, owned); err != nil {
			return nil, err
		}
	}
	for i, name := range t.fields {
		f := schema.Field(name)
		if f == nil {
			return nil, &operand.Error{Exception: "NullPointerException",
				Msg: `Cannot invoke "org.apache.kafka.connect.data.Field.schema()" because the return value of "org.apache.kafka.connect.data.Schema.field(String)" is null`}
		}
		var x any
		if g := st.Schema().Field(name); g != nil {
			x = operand.FieldValue(st, g.Index, t.replaceNull)
		}
		out.Headers = append(out.Headers, connectors.Header{Key: t.headers[i], Schema: f.Schema, Value: x})
	}
	return out, nil
}

func (t *Transform) moved(r *connectors.Record, st *connectors.Struct, owned bool) (*connectors.Record, error) {
	s, err := t.cache.GetOrBuild(st.Schema(), func(in *connectors.Schema) (*connectors.Schema, error) {
		b := operand.CopyBasics(in, connectors.StructBuilder())
		for _, f := range in.Fields {
			if !t.isListed(f.Name) {
				b.Field(f.Name, f.Schema)
			}
		}
		return operand.Build(b)
	})
	if err != nil {
		return nil, err
	}
	res := connectors.NewStruct(s)
	for i, f := range s.Fields {
		g := st.Schema().Field(f.Name)
		if err := operand.Put(res, i, operand.FieldValue(st, g.Index, t.replaceNull)); err != nil {
			return nil, err
		}
	}
	return t.side.Set(r, owned, s, res), nil
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
