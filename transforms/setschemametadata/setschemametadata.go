// Package setschemametadata is Kafka Connect's SetSchemaMetadata$Key and
// SetSchemaMetadata$Value: it sets the name and/or version of the key or
// value schema.
package setschemametadata

import (
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is SetSchemaMetadata's configuration, key names as Kafka Connect's.
type Config struct {
	SchemaName    connectors.Optional[string] `config:"schema.name" importance:"high" doc:"Schema name to set."`
	SchemaVersion connectors.Optional[int32]  `config:"schema.version" importance:"high" doc:"Schema version to set."`
	ReplaceNull   bool                        `config:"replace.null.with.default" default:"true" doc:"Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."`
}

// Transform is one configured SetSchemaMetadata.
type Transform struct {
	side        operand.Side
	name        *string
	version     *int32
	replaceNull bool
	cache       operand.Cache[*connectors.Schema]
}

// NewKey configures SetSchemaMetadata$Key.
func NewKey(props map[string]string) (*Transform, error) { return newTransform(props, operand.Key) }

// NewValue configures SetSchemaMetadata$Value.
func NewValue(props map[string]string) (*Transform, error) {
	return newTransform(props, operand.Value)
}

func newTransform(props map[string]string, side operand.Side) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	t := &Transform{side: side, replaceNull: c.ReplaceNull}
	if c.SchemaName.Set {
		t.name = &c.SchemaName.Value
	}
	if c.SchemaVersion.Set {
		t.version = &c.SchemaVersion.Value
	}
	if t.name == nil && t.version == nil {
		return nil, &connectors.ConfigError{Key: "schema.name", Reason: "Neither schema name nor version configured"}
	}
	return t, nil
}

// Apply replaces the schema metadata; a Struct is rebuilt on the new schema.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	schema, v := t.side.Schema(r), t.side.Value(r)
	if schema == nil && v == nil {
		return r, nil
	}
	if schema == nil {
		return nil, operand.Data("Schema required for [updating schema metadata]")
	}
	out, err := t.cache.GetOrBuild(schema, t.buildSchema)
	if err != nil {
		return nil, err
	}
	st, ok := v.(*connectors.Struct)
	if !ok {
		return t.side.Set(r, owned, out, v), nil
	}
	res := connectors.NewStruct(out)
	for i := range out.Fields {
		if i >= len(st.Schema().Fields) {
			break
		}
		if err := operand.Put(res, i, operand.FieldValue(st, i, t.replaceNull)); err != nil {
			return nil, err
		}
	}
	return t.side.Set(r, owned, out, res), nil
}

func (t *Transform) buildSchema(in *connectors.Schema) (*connectors.Schema, error) {
	if err := operand.RequireStructSchema(in); err != nil {
		return nil, err // Kafka 4.x copies schema.fields(), which only a STRUCT has
	}
	var b *connectors.SchemaBuilder
	switch in.Type {
	case connectors.TypeArray:
		b = connectors.ArrayOf(in.ValueSchema)
	case connectors.TypeMap:
		b = connectors.MapOf(in.KeySchema, in.ValueSchema)
	default:
		b = connectors.NewSchemaBuilder(in.Type)
	}
	b.Name(in.Name).Doc(in.Doc)
	if in.Version != nil {
		b.Version(*in.Version)
	}
	for k, v := range in.Parameters {
		b.Parameter(k, v)
	}
	for _, f := range in.Fields {
		b.Field(f.Name, f.Schema)
	}
	if in.Optional {
		b.Optional()
	}
	if t.name != nil {
		b.Name(*t.name)
	}
	if t.version != nil {
		b.Version(*t.version)
	}
	s, err := operand.Build(b)
	if err != nil {
		return nil, err
	}
	s.Default = in.Default
	return s, nil
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
