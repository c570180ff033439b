// Package simpleheader is Kafka Connect's SimpleHeaderConverter
// (org.apache.kafka.connect.storage.SimpleHeaderConverter), the worker's
// default header converter: values are written as text (Values.convertToString)
// and read back by inferring a schema from the text (Values.parseString).
package simpleheader

import (
	"context"
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// Class is the Kafka Connect class name of this converter.
const Class = "org.apache.kafka.connect.storage.SimpleHeaderConverter"

// Config is SimpleHeaderConverter's configuration: it has no keys of its own.
type Config struct {
	ConverterType string `config:"converter.type" enum:"key,value,header" importance:"low" doc:"How this converter will be used; always header."`
}

// Converter is a SimpleHeaderConverter; it keeps no state.
type Converter struct{ cfg Config }

// NewHeader returns a SimpleHeaderConverter.
func NewHeader(props map[string]string) (*Converter, error) {
	var cfg Config
	if err := connectors.Declare(&cfg).Parse(props, &cfg); err != nil {
		return nil, err
	}
	cfg.ConverterType = "header"
	return &Converter{cfg: cfg}, nil
}

// FromConnectHeader writes the value as UTF-8 text; null gives nil bytes.
func (c *Converter) FromConnectHeader(ctx context.Context, topic, key string, schema *connectors.Schema, value any) ([]byte, error) {
	switch x := value.(type) {
	case nil:
		return nil, nil
	case string:
		return []byte(x), nil
	case int64:
		return c.AppendFromConnectHeader(make([]byte, 0, 20), ctx, topic, key, schema, x)
	case int32:
		return c.AppendFromConnectHeader(make([]byte, 0, 11), ctx, topic, key, schema, x)
	}
	return c.AppendFromConnectHeader(nil, ctx, topic, key, schema, value)
}

// AppendFromConnectHeader appends what FromConnectHeader returns for a
// non-null value to dst, for a caller packing many headers into one buffer.
func (c *Converter) AppendFromConnectHeader(dst []byte, ctx context.Context, topic, key string, schema *connectors.Schema, value any) ([]byte, error) {
	switch x := value.(type) {
	case string: // the common cases, without a builder: the bytes appendValue writes
		return append(dst, x...), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	}
	var b strings.Builder
	if err := appendValue(&b, value, false); err != nil {
		return nil, err
	}
	return append(dst, b.String()...), nil
}

// ReadNeverFails marks that ToConnectHeader never returns an error: a
// runtime may leave a record's part unread for a sink task that does not use it
// (connectors.ValuePrinter), as nothing could have failed.
func (c *Converter) ReadNeverFails() {}

// ToConnectHeader infers schema and value from the text; nil bytes give (nil, nil).
func (c *Converter) ToConnectHeader(ctx context.Context, topic, key string, data []byte) (*connectors.Schema, any, error) {
	if data == nil {
		return nil, nil, nil
	}
	if n, ok := smallIntegerBytes(data); ok { // the common header value, without a string
		s, v, _ := integer(n)
		return s, v, nil
	}
	s, v := ParseString(string(data))
	return s, v, nil
}

// appendValue renders v as Values.append does; embedded values (inside lists,
// maps and structs) have their strings quoted and escaped.
func appendValue(b *strings.Builder, v any, embedded bool) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		if embedded {
			b.WriteByte('"')
			b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(x))
			b.WriteByte('"')
		} else {
			b.WriteString(x)
		}
	case []byte:
		if embedded {
			b.WriteByte('"')
		}
		b.WriteString(base64.StdEncoding.EncodeToString(x))
		if embedded {
			b.WriteByte('"')
		}
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := appendValue(b, e, true); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any, connectors.MapEntries:
		return appendMap(b, x)
	case *connectors.Struct:
		return appendStruct(b, x)
	case time.Time:
		b.WriteString(formatDate(x))
	default:
		s, ok := scalarString(v)
		if !ok {
			return connectors.DataError("Failed to serialize unexpected value type %T: %v", v, v)
		}
		b.WriteString(s)
	}
	return nil
}

// appendMap writes {k:v,...}; a map[string]any is written with sorted keys
// (Java's HashMap order cannot be reproduced).
func appendMap(b *strings.Builder, m any) error {
	entries, ok := m.(connectors.MapEntries)
	if !ok {
		sm := m.(map[string]any)
		keys := make([]string, 0, len(sm))
		for k := range sm {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			entries = append(entries, connectors.MapEntry{Key: k, Value: sm[k]})
		}
	}
	b.WriteByte('{')
	for i, e := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := appendValue(b, e.Key, true); err != nil {
			return err
		}
		b.WriteByte(':')
		if err := appendValue(b, e.Value, true); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

func appendStruct(b *strings.Builder, st *connectors.Struct) error {
	b.WriteByte('{')
	for i, f := range st.Schema().Fields {
		if i > 0 {
			b.WriteByte(',')
		}
		appendValue(b, f.Name, true)
		b.WriteByte(':')
		v, _ := st.Get(f.Name)
		if err := appendValue(b, v, true); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case int8:
		return strconv.Itoa(int(x)), true
	case int16:
		return strconv.Itoa(int(x)), true
	case int32:
		return strconv.Itoa(int(x)), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float32:
		return string(connectjson.AppendJavaFloat(nil, x)), true
	case float64:
		return string(connectjson.AppendJavaDouble(nil, x)), true
	case bool:
		return strconv.FormatBool(x), true
	case connectors.Decimal:
		return string(connectjson.AppendBigDecimal(nil, x)), true
	}
	return "", false
}

// Formats of Values.dateFormatFor. Kafka uses the JVM's default time zone;
// ferry always uses UTC (the same bytes as a worker running in UTC).
const (
	timeLayout      = "15:04:05.000Z"
	dateLayout      = "2006-01-02"
	timestampLayout = "2006-01-02T15:04:05.000Z"
	msPerDay        = 24 * 60 * 60 * 1000
)

func formatDate(t time.Time) string {
	ms := t.UnixMilli()
	switch {
	case ms < msPerDay:
		return t.UTC().Format(timeLayout)
	case ms%msPerDay == 0:
		return t.UTC().Format(dateLayout)
	}
	return t.UTC().Format(timestampLayout)
}
