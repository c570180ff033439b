// Package timestampconverter is Kafka Connect's TimestampConverter$Key and
// TimestampConverter$Value: it converts a whole key/value or one field between
// string, unix, Date, Time and Timestamp representations, pivoting through
// epoch milliseconds in UTC.
package timestampconverter

import (
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
	"github.com/ferryhq/ferry/transforms/simpledateformat"
)

// Config is TimestampConverter's configuration, key names as Kafka Connect's.
type Config struct {
	Field         string `config:"field" default:"" importance:"high" doc:"The field containing the timestamp, or empty if the entire value is a timestamp"`
	TargetType    string `config:"target.type" required:"true" importance:"high" doc:"The desired timestamp representation: string, unix, Date, Time, or Timestamp"`
	Format        string `config:"format" default:"" importance:"medium" doc:"A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string."`
	UnixPrecision string `config:"unix.precision" default:"milliseconds" importance:"low" doc:"The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long."`
	ReplaceNull   bool   `config:"replace.null.with.default" default:"true" doc:"Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."`
}

const purpose = "converting timestamp formats"

// Transform is one configured TimestampConverter.
type Transform struct {
	side        operand.Side
	field       string
	target      kind
	format      *simpledateformat.Format
	precision   string
	replaceNull bool
	cache       operand.Cache[*connectors.Schema]
}

// NewKey configures TimestampConverter$Key.
func NewKey(props map[string]string) (*Transform, error) { return newTransform(props, operand.Key) }

// NewValue configures TimestampConverter$Value.
func NewValue(props map[string]string) (*Transform, error) {
	return newTransform(props, operand.Value)
}

func newTransform(props map[string]string, side operand.Side) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	target, ok := kinds[c.TargetType]
	if !ok {
		return nil, &connectors.ConfigError{Key: "target.type", Value: c.TargetType,
			Reason: "Unknown timestamp type in TimestampConverter: " + c.TargetType + ". Valid values are string, unix, Date, Time, Timestamp."}
	}
	switch c.UnixPrecision {
	case "seconds", "milliseconds", "microseconds", "nanoseconds":
	default:
		return nil, &connectors.ConfigError{Key: "unix.precision", Value: c.UnixPrecision,
			Reason: "String must be one of: nanoseconds, microseconds, milliseconds, seconds"}
	}
	t := &Transform{side: side, field: c.Field, target: target, precision: c.UnixPrecision, replaceNull: c.ReplaceNull}
	if target == kindString && isBlank(c.Format) {
		return nil, &connectors.ConfigError{Key: "format", Value: c.Format,
			Reason: "TimestampConverter requires format option to be specified when using string timestamps"}
	}
	if !isBlank(c.Format) {
		f, err := simpledateformat.Compile(props["format"])
		if err != nil {
			return nil, &connectors.ConfigError{Key: "format", Value: c.Format,
				Reason: "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: " + props["format"]}
		}
		t.format = f
	}
	return t, nil
}

func isBlank(s string) bool {
	for _, c := range s {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// Apply converts the timestamp.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	schema, v := t.side.Schema(r), t.side.Value(r)
	if schema == nil {
		return t.schemaless(r, v, owned)
	}
	if t.field == "" {
		from, err := kindOfSchema(schema)
		if err != nil {
			return nil, err
		}
		out, err := t.convert(v, from)
		if err != nil {
			return nil, err
		}
		return t.side.Set(r, owned, t.target.schema(schema.Optional), out), nil
	}
	st, err := operand.RequireStructOrNull(v, purpose)
	if err != nil {
		return nil, err
	}
	out, err := t.cache.GetOrBuild(schema, t.buildSchema)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return t.side.Set(r, owned, out, nil), nil
	}
	res, err := t.convertStruct(st, out)
	if err != nil {
		return nil, err
	}
	return t.side.Set(r, owned, out, res), nil
}

func (t *Transform) schemaless(r *connectors.Record, v any, owned bool) (*connectors.Record, error) {
	if v == nil || t.field == "" {
		out, err := t.convert(v, kindInfer)
		if err != nil {
			return nil, err
		}
		return t.side.Set(r, owned, nil, out), nil
	}
	m, err := operand.RequireMap(v, purpose)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	if out[t.field], err = t.convert(m[t.field], kindInfer); err != nil {
		return nil, err
	}
	return t.side.Set(r, owned, nil, out), nil
}

func (t *Transform) buildSchema(in *connectors.Schema) (*connectors.Schema, error) {
	if err := operand.RequireStructSchema(in); err != nil {
		return nil, err
	}
	b := operand.CopyBasics(in, connectors.StructBuilder())
	for _, f := range in.Fields {
		if f.Name == t.field {
			b.Field(f.Name, t.target.schema(f.Schema.Optional))
		} else {
			b.Field(f.Name, f.Schema)
		}
	}
	if in.Optional {
		b.Optional()
	}
	if def, ok := in.Default.(*connectors.Struct); ok {
		tmp, err := operand.Build(b)
		if err != nil {
			return nil, err
		}
		d, err := t.convertStruct(def, tmp)
		if err != nil {
			return nil, err
		}
		b.DefaultValue(d)
	}
	return operand.Build(b)
}

func (t *Transform) convertStruct(st *connectors.Struct, out *connectors.Schema) (*connectors.Struct, error) {
	res := connectors.NewStruct(out)
	for i, f := range st.Schema().Fields {
		x := operand.FieldValue(st, i, t.replaceNull)
		if f.Name == t.field {
			from, err := kindOfSchema(f.Schema)
			if err != nil {
				return nil, err
			}
			if x, err = t.convert(x, from); err != nil {
				return nil, err
			}
		}
		if err := operand.Put(res, i, x); err != nil {
			return nil, err
		}
	}
	return res, nil
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
