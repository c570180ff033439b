// Package maskfield is Kafka Connect's MaskField$Key and MaskField$Value: it
// replaces the listed fields with the zero value of their type, or with a
// configured replacement converted to that type.
package maskfield

import (
	"math/big"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is MaskField's configuration, key names as Kafka Connect's.
type Config struct {
	Fields      []string                    `config:"fields" required:"true" importance:"high" doc:"Names of fields to mask."`
	Replacement connectors.Optional[string] `config:"replacement" importance:"low" doc:"Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only)."`
	ReplaceNull bool                        `config:"replace.null.with.default" default:"true" doc:"Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."`
}

const purpose = "mask fields"

// Transform is one configured MaskField.
type Transform struct {
	side        operand.Side
	fields      map[string]bool
	names       []string
	replacement *string
	replaceNull bool
	// flags caches, per input schema, which field indexes are masked.
	flags operand.Cache[[]bool]
}

// NewKey configures MaskField$Key.
func NewKey(props map[string]string) (*Transform, error) { return newTransform(props, operand.Key) }

// NewValue configures MaskField$Value.
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
	t := &Transform{side: side, fields: map[string]bool{}, replaceNull: c.ReplaceNull}
	for _, f := range c.Fields {
		if !t.fields[f] {
			t.names = append(t.names, f)
		}
		t.fields[f] = true
	}
	if c.Replacement.Set {
		r := c.Replacement.Value
		if r == "" {
			return nil, &connectors.ConfigError{Key: "replacement", Value: r, Reason: "String must be non-empty"}
		}
		t.replacement = &r
	}
	return t, nil
}

// Apply masks the fields; a null operand is a DataException, as in Kafka.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	v := t.side.Value(r)
	if t.side.Schema(r) == nil {
		m, err := operand.RequireMap(v, purpose)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(m)+len(t.names))
		for k, x := range m {
			out[k] = x
		}
		for _, f := range t.names {
			mv, err := t.mask(m[f])
			if err != nil {
				return nil, err
			}
			out[f] = mv
		}
		return t.side.Set(r, owned, nil, out), nil
	}
	in, err := operand.RequireStruct(v, purpose)
	if err != nil {
		return nil, err
	}
	out := connectors.NewStruct(in.Schema())
	if err := t.maskStruct(in, out); err != nil {
		return nil, err
	}
	return t.side.Set(r, owned, in.Schema(), out), nil
}

func (t *Transform) mask(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if t.replacement != nil {
		return replace(v, *t.replacement)
	}
	return zero(v)
}

func zero(v any) (any, error) {
	switch v.(type) {
	case bool:
		return false, nil
	case int8:
		return int8(0), nil
	case int16:
		return int16(0), nil
	case int32:
		return int32(0), nil
	case int64:
		return int64(0), nil
	case float32:
		return float32(0), nil
	case float64:
		return float64(0), nil
	case connectors.Decimal:
		return connectors.Decimal{Unscaled: new(big.Int)}, nil
	case time.Time:
		return time.UnixMilli(0).UTC(), nil
	case string:
		return "", nil
	case []any:
		return []any{}, nil
	case map[string]any:
		return map[string]any{}, nil
	case connectors.MapEntries:
		return connectors.MapEntries{}, nil
	}
	return nil, operand.Data("Cannot mask value of type: class %s", operand.JavaClass(v))
}

// Apply runs the transformation on r, which it does not change.
func (t *Transform) Apply(r *connectors.Record) (*connectors.Record, error) { return t.apply(r, false) }

// ApplyInPlace runs the transformation on a record only the chain references,
// changing the record, and its top-level map or Struct when the chain owns
// it, instead of copying them.
func (t *Transform) ApplyInPlace(r *connectors.Record, own operand.Owned) (*connectors.Record, error) {
	if t.side.Owns(own) {
		switch x := t.side.Value(r).(type) {
		case map[string]any:
			if t.side.Schema(r) == nil {
				for _, f := range t.names {
					mv, err := t.mask(x[f])
					if err != nil {
						return nil, err
					}
					x[f] = mv
				}
				return r, nil
			}
		case *connectors.Struct:
			if t.side.Schema(r) != nil {
				return r, t.maskStruct(x, x)
			}
		}
	}
	return t.apply(r, own.Record)
}

// BuildsNew marks that a changed key or value is a new top-level map or Struct.
func (t *Transform) BuildsNew() {}

// maskStruct writes every field of in, masked or not, into out (in itself
// when the chain owns it: then only the fields that change are written), as
// MaskField's struct copy does.
func (t *Transform) maskStruct(in, out *connectors.Struct) error {
	flags, _ := t.flags.GetOrBuild(in.Schema(), func(s *connectors.Schema) ([]bool, error) {
		fl := make([]bool, len(s.Fields))
		for i, f := range s.Fields {
			fl[i] = t.fields[f.Name]
		}
		return fl, nil
	})
	for i, masked := range flags {
		if out == in && !masked && in.At(i) != nil {
			continue // stays: no default, no required-field check
		}
		x := operand.FieldValue(in, i, t.replaceNull)
		if masked {
			var err error
			if x, err = t.mask(x); err != nil {
				return err
			}
		}
		if err := operand.Required(&out.Schema().Fields[i], x); err != nil {
			return err
		}
		out.Set(i, x)
	}
	return nil
}
