// Package recordline is the JSON record form of `ferry transforms apply`
// (one record per line: topic, partition, offset, timestamp, key and value
// with their JsonConverter schemas, headers), shared by the apply command and
// the WebAssembly transforms' ABI.
package recordline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/ferryhq/ferry/connectors"
	jsonconv "github.com/ferryhq/ferry/transforms/convert/json"
)

// Line is one input line of either form. In the records form key and value
// are JsonConverter payloads (or typed schemaless values); in the bytes form
// they are the raw message text.
type Line struct {
	Topic       string          `json:"topic"`
	Partition   *int32          `json:"partition"`
	Offset      *int64          `json:"offset"`
	Timestamp   *int64          `json:"timestamp"`
	Key         json.RawMessage `json:"key"`
	KeySchema   json.RawMessage `json:"key_schema"`
	KeyBase64   *string         `json:"key_base64"`
	Value       json.RawMessage `json:"value"`
	ValueSchema json.RawMessage `json:"value_schema"`
	ValueBase64 *string         `json:"value_base64"`
	Headers     []HeaderLine    `json:"headers"`
}

// HeaderLine is one header of a line.
type HeaderLine struct {
	Key         string          `json:"key"`
	Value       json.RawMessage `json:"value"`
	ValueSchema json.RawMessage `json:"value_schema"`
	ValueBase64 *string         `json:"value_base64"`
}

// Codec reads and writes the records form with a JsonConverter in
// schemas mode (NUMERIC decimals, nulls kept as nulls).
type Codec struct {
	conv *jsonconv.Converter
}

// New returns a codec; it keeps the schemas it has parsed, so lines with the
// same schema JSON share one *connectors.Schema.
func New() *Codec {
	c, err := jsonconv.New(map[string]string{"schemas.enable": "true", "decimal.format": "NUMERIC",
		"replace.null.with.default": "false"}, false)
	if err != nil {
		panic(err)
	}
	return &Codec{conv: c}
}

// IsNull tells whether a raw JSON value is absent or null.
func IsNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

func (c *Codec) value(ctx context.Context, topic string, schema, payload json.RawMessage) (*connectors.Schema, any, error) {
	if IsNull(schema) {
		if IsNull(payload) {
			return nil, nil, nil
		}
		v, err := decodeTyped(payload)
		return nil, v, err
	}
	if IsNull(payload) {
		s, err := c.conv.Schema(schema)
		return s, nil, err
	}
	env := make([]byte, 0, len(schema)+len(payload)+24)
	env = append(append(append(append(env, `{"schema":`...), schema...), `,"payload":`...), payload...)
	return c.conv.ToConnect(ctx, topic, append(env, '}'))
}

// Decode reads one record line into a record.
func (c *Codec) Decode(ctx context.Context, in []byte) (*connectors.Record, error) {
	var l Line
	if err := json.Unmarshal(in, &l); err != nil {
		return nil, fmt.Errorf("not a record line: %w", err)
	}
	r := NewRecord(&l)
	var err error
	if r.KeySchema, r.Key, err = c.value(ctx, l.Topic, l.KeySchema, l.Key); err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	if r.ValueSchema, r.Value, err = c.value(ctx, l.Topic, l.ValueSchema, l.Value); err != nil {
		return nil, fmt.Errorf("value: %w", err)
	}
	for _, h := range l.Headers {
		s, v, err := c.value(ctx, l.Topic, h.ValueSchema, h.Value)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", h.Key, err)
		}
		r.Headers = append(r.Headers, connectors.Header{Key: h.Key, Schema: s, Value: v})
	}
	return r, nil
}

// NewRecord is a record with the line's coordinates (no key, value or headers).
func NewRecord(l *Line) *connectors.Record {
	r := &connectors.Record{Topic: l.Topic, Partition: connectors.NoPartition, Offset: -1, Timestamp: connectors.NoTimestamp}
	if l.Partition != nil {
		r.Partition = *l.Partition
	}
	if l.Offset != nil {
		r.Offset = *l.Offset
	}
	if l.Timestamp != nil {
		r.Timestamp = *l.Timestamp
	}
	return r
}

// appendValue writes `"<name>":payload,"<name>_schema":schema`.
func (c *Codec) appendValue(ctx context.Context, b []byte, topic, name string, s *connectors.Schema, v any) ([]byte, error) {
	b = append(AppendString(b, name), ':')
	if s == nil {
		var err error
		if b, err = appendTyped(b, v); err != nil {
			return nil, err
		}
		return append(AppendString(append(b, ','), name+"_schema"), ":null"...), nil
	}
	schema, payload, err := c.split(ctx, topic, s, v)
	if err != nil {
		return nil, err
	}
	b = append(b, payload...)
	b = append(AppendString(append(b, ','), name+"_schema"), ':')
	return append(b, schema...), nil
}

// split encodes schema and value with the JsonConverter and returns both parts.
func (c *Codec) split(ctx context.Context, topic string, s *connectors.Schema, v any) (schema, payload json.RawMessage, err error) {
	forced := false
	if v == nil && !s.Optional && s.Default == nil {
		cp := *s
		cp.Optional, forced = true, true
		s = &cp
	}
	name := ""
	if foreignLogical(s) { // e.g. a whole-value Cast of a Decimal to string: show the chain's record as it is
		cp := *s
		name, cp.Name = s.Name, ""
		s = &cp
	}
	data, err := c.conv.FromConnect(ctx, topic, s, v)
	if err != nil {
		return nil, nil, err
	}
	var env struct{ Schema, Payload json.RawMessage }
	if env.Schema, env.Payload = cut(data); env.Schema == nil {
		if err := json.Unmarshal(data, &env); err != nil {
			return nil, nil, err
		}
	}
	if forced {
		env.Schema = requiredAgain(env.Schema)
	}
	if name != "" {
		env.Schema = withName(env.Schema, name)
	}
	if v == nil {
		env.Payload = json.RawMessage("null")
	}
	return env.Schema, env.Payload, nil
}

// cut splits the JsonConverter's {"schema":S,"payload":P} in one pass
// without decoding it; nil when data is not of that shape.
func cut(data []byte) (schema, payload json.RawMessage) {
	const head, mid = `{"schema":`, `,"payload":`
	if !bytes.HasPrefix(data, []byte(head)) || len(data) < len(head)+len(mid)+2 || data[len(data)-1] != '}' {
		return nil, nil
	}
	sc := scanner{raw: data, i: len(head) - 1}
	for sc.next() {
		if sc.depth == 0 {
			end := sc.i + 1
			if !bytes.HasPrefix(data[end:], []byte(mid)) {
				return nil, nil
			}
			return data[len(head):end], data[end+len(mid) : len(data)-1]
		}
	}
	return nil, nil
}

// scanner walks JSON text byte by byte, skipping the inside of strings and
// keeping the nesting depth (after the byte at i).
type scanner struct {
	raw   []byte
	i     int
	depth int
}

// next moves to the next byte outside a string (an opening quote counts,
// the string is skipped after it); false at the end.
func (s *scanner) next() bool {
	if s.i >= 0 && s.i < len(s.raw) && s.raw[s.i] == '"' {
		for s.i++; s.i < len(s.raw) && s.raw[s.i] != '"'; s.i++ {
			if s.raw[s.i] == '\\' {
				s.i++
			}
		}
	}
	s.i++
	if s.i >= len(s.raw) {
		return false
	}
	switch s.raw[s.i] {
	case '{', '[':
		s.depth++
	case '}', ']':
		s.depth--
	}
	return true
}

// logicalTypes are the schema types of Kafka Connect's logical types.
var logicalTypes = map[string]connectors.Type{connectors.DecimalName: connectors.TypeBytes, connectors.DateName: connectors.TypeInt32,
	connectors.TimeName: connectors.TypeInt32, connectors.TimestampName: connectors.TypeInt64}

// foreignLogical tells whether s keeps a logical type's name on another type,
// as Kafka Connect's whole-value Cast leaves it: the JsonConverter would try
// the logical conversion and fail, so the record line encodes the plain type.
func foreignLogical(s *connectors.Schema) bool {
	t, ok := logicalTypes[s.Name]
	return ok && s.Type != t
}

// withName puts "name" first in a top-level schema JSON object.
func withName(schema json.RawMessage, name string) json.RawMessage {
	rest := bytes.TrimPrefix(bytes.TrimSpace(schema), []byte("{"))
	out := AppendString([]byte(`{"name":`), name)
	if len(bytes.TrimSpace(rest)) > 1 {
		out = append(out, ',')
	}
	return append(out, rest...)
}

// requiredAgain sets the top-level "optional" of a schema JSON back to false.
func requiredAgain(raw []byte) []byte {
	key := []byte(`"optional":true`)
	sc := scanner{raw: raw, i: -1}
	for sc.next() {
		if sc.depth == 1 && bytes.HasPrefix(raw[sc.i:], key) {
			out := append([]byte{}, raw[:sc.i]...)
			out = append(out, `"optional":false`...)
			return append(out, raw[sc.i+len(key):]...)
		}
	}
	return raw
}

// Encode writes a record as one record line (no newline).
func (c *Codec) Encode(ctx context.Context, r *connectors.Record) ([]byte, error) {
	b := append(AppendString([]byte(`{"topic":`), r.Topic), `,"partition":`...)
	b = AppendOptInt(b, int64(r.Partition), r.Partition == connectors.NoPartition)
	b = AppendOptInt(append(b, `,"offset":`...), r.Offset, r.Offset < 0)
	b = AppendOptInt(append(b, `,"timestamp":`...), r.Timestamp, r.Timestamp == connectors.NoTimestamp)
	b = append(b, ',')
	var err error
	if b, err = c.appendValue(ctx, b, r.Topic, "key", r.KeySchema, r.Key); err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	b = append(b, ',')
	if b, err = c.appendValue(ctx, b, r.Topic, "value", r.ValueSchema, r.Value); err != nil {
		return nil, fmt.Errorf("value: %w", err)
	}
	b = append(b, `,"headers":[`...)
	for i, h := range r.Headers {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(AppendString(append(b, `{"key":`...), h.Key), ',')
		if b, err = c.appendValue(ctx, b, r.Topic, "value", h.Schema, h.Value); err != nil {
			return nil, fmt.Errorf("header %s: %w", h.Key, err)
		}
		b = append(b, '}')
	}
	return append(b, "]}"...), nil
}

// AppendOptInt appends n, or null.
func AppendOptInt(b []byte, n int64, null bool) []byte {
	if null {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, n, 10)
}

// sharedCodec is made on first use, not at init.
var sharedCodec = sync.OnceValue(New)

// DecodeLine reads one record line (the records form of `ferry transforms
// apply`) into a record. Lines with the same schema JSON share one schema.
func DecodeLine(line []byte) (*connectors.Record, error) {
	return sharedCodec().Decode(context.Background(), line) // a JsonConverter: no I/O to bound
}
