// Package insertfield is Kafka Connect's InsertField$Key and InsertField$Value:
// it adds the record's topic, partition, offset, timestamp and a static value
// as fields of a Struct or entries of a schemaless map.
package insertfield

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is InsertField's configuration, key names as Kafka Connect's.
type Config struct {
	TopicField     string                      `config:"topic.field" doc:"Field name for Kafka topic. Suffix with ! to make this a required field, or ? to keep it optional (the default)."`
	PartitionField string                      `config:"partition.field" doc:"Field name for Kafka partition. Suffix with ! to make this a required field, or ? to keep it optional (the default)."`
	OffsetField    string                      `config:"offset.field" doc:"Field name for Kafka offset - only applicable to sink connectors. Suffix with ! to make this a required field, or ? to keep it optional (the default)."`
	TimestampField string                      `config:"timestamp.field" doc:"Field name for record timestamp. Suffix with ! to make this a required field, or ? to keep it optional (the default)."`
	StaticField    string                      `config:"static.field" doc:"Field name for static data field. Suffix with ! to make this a required field, or ? to keep it optional (the default)."`
	StaticValue    connectors.Optional[string] `config:"static.value" doc:"Static field value, if field name configured."`
	ReplaceNull    bool                        `config:"replace.null.with.default" default:"true" doc:"Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."`
}

const purpose = "field insertion"

type spec struct {
	name     string
	optional bool
}

func parseSpec(s string) *spec {
	switch {
	case s == "":
		return nil
	case strings.HasSuffix(s, "?"):
		return &spec{s[:len(s)-1], true}
	case strings.HasSuffix(s, "!"):
		return &spec{s[:len(s)-1], false}
	}
	return &spec{s, true}
}

// Transform is one configured InsertField.
type Transform struct {
	side                                 operand.Side
	topic, partition, offset, ts, static *spec
	staticValue                          string
	hasStaticValue, replaceNull          bool
	cache                                operand.Cache[*connectors.Schema]
	// topicBox holds the last topic as an interface value (a string), so
	// that records of the same topic share one instead of allocating each.
	topicBox atomic.Value
}

// NewKey configures InsertField$Key.
func NewKey(props map[string]string) (*Transform, error) { return newTransform(props, operand.Key) }

// NewValue configures InsertField$Value.
func NewValue(props map[string]string) (*Transform, error) {
	return newTransform(props, operand.Value)
}

func newTransform(props map[string]string, side operand.Side) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	t := &Transform{side: side, topic: parseSpec(c.TopicField), partition: parseSpec(c.PartitionField),
		offset: parseSpec(c.OffsetField), ts: parseSpec(c.TimestampField), static: parseSpec(c.StaticField),
		staticValue: c.StaticValue.Value, hasStaticValue: c.StaticValue.Set, replaceNull: c.ReplaceNull}
	if t.topic == nil && t.partition == nil && t.offset == nil && t.ts == nil && t.static == nil {
		return nil, &connectors.ConfigError{Key: "topic.field", Value: "", Reason: "No field insertion configured"}
	}
	if t.static != nil && !c.StaticValue.Set {
		return nil, connectors.ConfigErrors{{Key: "static.value", Missing: true}}
	}
	return t, nil
}

// Apply inserts the configured fields; a null operand passes unchanged.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	v := t.side.Value(r)
	if v == nil {
		return r, nil
	}
	if t.side.Schema(r) == nil {
		return t.schemaless(r, v, owned)
	}
	return t.withSchema(r, v, owned)
}

func (t *Transform) schemaless(r *connectors.Record, v any, owned bool) (*connectors.Record, error) {
	m, err := operand.RequireMap(v, purpose)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m)+5)
	for k, x := range m {
		out[k] = x
	}
	if err := t.insert(r, out); err != nil {
		return nil, err
	}
	return t.side.Set(r, owned, nil, out), nil
}

// insert puts the configured entries into a schemaless map.
func (t *Transform) insert(r *connectors.Record, out map[string]any) error {
	if t.topic != nil {
		out[t.topic.name] = t.boxTopic(r.Topic)
	}
	if t.partition != nil && r.Partition != connectors.NoPartition {
		out[t.partition.name] = r.Partition
	}
	if t.offset != nil {
		if err := operand.RequireSinkRecord(r, purpose); err != nil {
			return err
		}
		out[t.offset.name] = r.Offset
	}
	if t.ts != nil && r.Timestamp != connectors.NoTimestamp {
		out[t.ts.name] = r.Timestamp
	}
	if t.static != nil && t.hasStaticValue {
		out[t.static.name] = t.staticValue
	}
	return nil
}

func (t *Transform) withSchema(r *connectors.Record, v any, owned bool) (*connectors.Record, error) {
	in, err := operand.RequireStruct(v, purpose)
	if err != nil {
		return nil, err
	}
	schema, err := t.cache.GetOrBuild(in.Schema(), t.buildSchema)
	if err != nil {
		return nil, err
	}
	out := connectors.NewStruct(schema)
	n := in.CopyTo(out)
	for i := 0; i < n; i++ {
		if out.At(i) == nil { // the field default, or a required field's failure
			if err := operand.Put(out, i, operand.FieldValue(in, i, t.replaceNull)); err != nil {
				return nil, err
			}
		}
	}
	if err := t.putExtras(r, out, n); err != nil {
		return nil, err
	}
	return t.side.Set(r, owned, schema, out), nil
}

func (t *Transform) putExtras(r *connectors.Record, out *connectors.Struct, i int) error {
	put := func(v any) error {
		err := operand.Put(out, i, v)
		i++
		return err
	}
	var errs [5]error
	if t.topic != nil {
		errs[0] = put(t.boxTopic(r.Topic))
	}
	if t.partition != nil {
		if r.Partition != connectors.NoPartition {
			errs[1] = put(r.Partition)
		} else {
			i++
		}
	}
	if t.offset != nil {
		if err := operand.RequireSinkRecord(r, purpose); err != nil {
			return err
		}
		errs[2] = put(r.Offset)
	}
	if t.ts != nil {
		if r.Timestamp != connectors.NoTimestamp {
			errs[3] = put(time.UnixMilli(r.Timestamp).UTC())
		} else {
			i++
		}
	}
	if t.static != nil {
		errs[4] = put(t.staticValue)
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// boxTopic returns topic as an interface value, the last one's when equal.
func (t *Transform) boxTopic(topic string) any {
	if v := t.topicBox.Load(); v != nil && v.(string) == topic {
		return v
	}
	v := any(topic)
	t.topicBox.Store(v)
	return v
}

func (t *Transform) buildSchema(in *connectors.Schema) (*connectors.Schema, error) {
	b := operand.CopyBasics(in, connectors.StructBuilder())
	for _, f := range in.Fields {
		b.Field(f.Name, f.Schema)
	}
	add := func(s *spec, required, optional *connectors.Schema) {
		if s == nil {
			return
		}
		if s.optional {
			b.Field(s.name, optional)
		} else {
			b.Field(s.name, required)
		}
	}
	add(t.topic, connectors.StringSchema, connectors.OptionalStringSchema)
	add(t.partition, connectors.Int32Schema, connectors.OptionalInt32Schema)
	add(t.offset, connectors.Int64Schema, connectors.OptionalInt64Schema)
	add(t.ts, timestampSchema, optionalTimestampSchema)
	add(t.static, connectors.StringSchema, connectors.OptionalStringSchema)
	return operand.Build(b)
}

var (
	timestampSchema         = connectors.TimestampSchema().MustBuild()
	optionalTimestampSchema = connectors.TimestampSchema().Optional().MustBuild()
)

// Apply runs the transformation on r, which it does not change.
func (t *Transform) Apply(r *connectors.Record) (*connectors.Record, error) { return t.apply(r, false) }

// ApplyInPlace runs the transformation on a record only the chain references,
// changing the record, and its top-level map when the chain owns it,
// instead of copying them.
func (t *Transform) ApplyInPlace(r *connectors.Record, own operand.Owned) (*connectors.Record, error) {
	if m, ok := t.side.Value(r).(map[string]any); ok && t.side.Owns(own) && t.side.Schema(r) == nil {
		return r, t.insert(r, m)
	}
	return t.apply(r, own.Record)
}

// BuildsNew marks that a changed key or value is a new top-level map or Struct.
func (t *Transform) BuildsNew() {}
