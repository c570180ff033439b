// Package valuetokey is Kafka Connect's ValueToKey: it replaces the record
// key with a map or Struct of fields taken from the value.
package valuetokey

import (
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is ValueToKey's configuration, key names as Kafka Connect's.
type Config struct {
	Fields      []string `config:"fields" required:"true" importance:"high" doc:"Field names on the record value to extract as the record key."`
	ReplaceNull bool     `config:"replace.null.with.default" default:"true" doc:"Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."`
}

const purpose = "copying fields from value to key"

// Transform is one configured ValueToKey.
type Transform struct {
	fields      []string
	replaceNull bool
	cache       operand.Cache[*plan]
}

type plan struct {
	schema *connectors.Schema
	from   []int
}

// New configures ValueToKey.
func New(props map[string]string) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	if len(c.Fields) == 0 {
		return nil, &connectors.ConfigError{Key: "fields", Value: "[]", Reason: "Empty list"}
	}
	return &Transform{fields: c.Fields, replaceNull: c.ReplaceNull}, nil
}

// Apply sets the key; the value and its schema are unchanged.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	if r.ValueSchema == nil {
		m, err := operand.RequireMap(r.Value, purpose)
		if err != nil {
			return nil, err
		}
		key := make(map[string]any, len(t.fields))
		for _, f := range t.fields {
			key[f] = m[f]
		}
		return operand.Key.Set(r, owned, nil, key), nil
	}
	in, err := operand.RequireStruct(r.Value, purpose)
	if err != nil {
		return nil, err
	}
	p, err := t.cache.GetOrBuild(in.Schema(), t.plan)
	if err != nil {
		return nil, err
	}
	key := connectors.NewStruct(p.schema)
	for i, from := range p.from {
		if err := operand.Put(key, i, operand.FieldValue(in, from, t.replaceNull)); err != nil {
			return nil, err
		}
	}
	return operand.Key.Set(r, owned, p.schema, key), nil
}

func (t *Transform) plan(in *connectors.Schema) (*plan, error) {
	b := connectors.StructBuilder()
	p := &plan{}
	for _, name := range t.fields {
		f := in.Field(name)
		if f == nil {
			return nil, operand.Data("Field does not exist: %s", name)
		}
		b.Field(name, f.Schema)
		p.from = append(p.from, f.Index)
	}
	s, err := operand.Build(b)
	if err != nil {
		return nil, err
	}
	p.schema = s
	return p, nil
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
