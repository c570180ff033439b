// Package hoistfield is Kafka Connect's HoistField$Key and HoistField$Value:
// it wraps the key or value in a Struct or map with a single field.
package hoistfield

import (
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is HoistField's configuration, key names as Kafka Connect's.
type Config struct {
	Field string `config:"field" required:"true" importance:"medium" doc:"Field name for the single field that will be created in the resulting Struct or Map."`
}

// Transform is one configured HoistField.
type Transform struct {
	side  operand.Side
	field string
	cache operand.Cache[*connectors.Schema]
}

// NewKey configures HoistField$Key.
func NewKey(props map[string]string) (*Transform, error) { return newTransform(props, operand.Key) }

// NewValue configures HoistField$Value.
func NewValue(props map[string]string) (*Transform, error) {
	return newTransform(props, operand.Value)
}

func newTransform(props map[string]string, side operand.Side) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	return &Transform{side: side, field: c.Field}, nil
}

// Apply wraps the operand; a null is wrapped too.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	schema, v := t.side.Schema(r), t.side.Value(r)
	if schema == nil {
		return t.side.Set(r, owned, nil, map[string]any{t.field: v}), nil
	}
	out, err := t.cache.GetOrBuild(schema, func(in *connectors.Schema) (*connectors.Schema, error) {
		return operand.Build(connectors.StructBuilder().Field(t.field, in))
	})
	if err != nil {
		return nil, err
	}
	st := connectors.NewStruct(out)
	if err := operand.PutChecked(st, t.field, v); err != nil {
		return nil, err
	}
	return t.side.Set(r, owned, out, st), nil
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
