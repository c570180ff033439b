package jsonschema

import (
	"encoding/base64"
	stdjson "encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// appendPayload writes v as JsonSchemaData.fromConnectData and Jackson write
// it: integers, Java-formatted floats, Decimal as a plain JSON number with its
// scale, bytes as base64, Date/Time/Timestamp as integers, maps with string
// keys as objects (keys sorted) and other maps as arrays of {"key","value"}
// objects, structs as objects in field order.
func appendPayload(b []byte, s *connectors.Schema, v any) ([]byte, error) {
	if v == nil && s.Default != nil {
		v = s.Default
	}
	if v == nil {
		if !s.Optional {
			return nil, connectors.DataError("Conversion error: null value for field that is required and has no default value")
		}
		return append(b, "null"...), nil
	}
	switch s.Name {
	case connectors.DecimalName:
		d, ok := v.(connectors.Decimal)
		if !ok {
			return nil, mismatch(s, v)
		}
		return connectjson.AppendBigDecimal(b, d), nil
	case connectors.DateName, connectors.TimeName, connectors.TimestampName:
		t, ok := v.(time.Time)
		if !ok {
			return nil, mismatch(s, v)
		}
		return appendTemporal(b, s.Name, t)
	}
	return appendPlain(b, s, v)
}

func appendTemporal(b []byte, name string, t time.Time) ([]byte, error) {
	switch name {
	case connectors.DateName:
		d, err := connectors.DateToDays(t)
		return strconv.AppendInt(b, int64(d), 10), err
	case connectors.TimeName:
		ms, err := connectors.TimeToMillis(t)
		return strconv.AppendInt(b, int64(ms), 10), err
	}
	return strconv.AppendInt(b, t.UnixMilli(), 10), nil
}

func appendPlain(b []byte, s *connectors.Schema, v any) ([]byte, error) {
	switch x := v.(type) {
	case int8:
		return strconv.AppendInt(b, int64(x), 10), expectType(s, connectors.TypeInt8, v)
	case int16:
		return strconv.AppendInt(b, int64(x), 10), expectType(s, connectors.TypeInt16, v)
	case int32:
		return strconv.AppendInt(b, int64(x), 10), expectType(s, connectors.TypeInt32, v)
	case int64:
		return strconv.AppendInt(b, x, 10), expectType(s, connectors.TypeInt64, v)
	case float32:
		return connectjson.AppendJavaFloat(b, x), expectType(s, connectors.TypeFloat32, v)
	case float64:
		return connectjson.AppendJavaDouble(b, x), expectType(s, connectors.TypeFloat64, v)
	case bool:
		return strconv.AppendBool(b, x), expectType(s, connectors.TypeBoolean, v)
	case string:
		return connectjson.AppendString(b, x), expectType(s, connectors.TypeString, v)
	case []byte:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, x)
		return append(b, '"'), expectType(s, connectors.TypeBytes, v)
	case []any:
		if s.Type != connectors.TypeArray {
			return nil, mismatch(s, v)
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendPayload(b, s.ValueSchema, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any, connectors.MapEntries:
		return appendMap(b, s, v)
	case *connectors.Struct:
		return appendStruct(b, s, x)
	}
	return nil, mismatch(s, v)
}

func appendMap(b []byte, s *connectors.Schema, v any) ([]byte, error) {
	if s.Type != connectors.TypeMap {
		return nil, mismatch(s, v)
	}
	entries := entriesOf(v)
	asObject := s.KeySchema.Type == connectors.TypeString && !s.KeySchema.Optional
	open, end := byte('['), byte(']')
	if asObject {
		open, end = '{', '}'
	}
	b = append(b, open)
	var err error
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		if asObject {
			k, _ := e.Key.(string)
			b = append(connectjson.AppendString(b, k), ':')
		} else {
			b = append(b, `{"key":`...)
			if b, err = appendPayload(b, s.KeySchema, e.Key); err != nil {
				return nil, err
			}
			b = append(b, `,"value":`...)
		}
		if b, err = appendPayload(b, s.ValueSchema, e.Value); err != nil {
			return nil, err
		}
		if !asObject {
			b = append(b, '}')
		}
	}
	return append(b, end), nil
}

func entriesOf(v any) connectors.MapEntries {
	if es, ok := v.(connectors.MapEntries); ok {
		return es
	}
	m := v.(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(connectors.MapEntries, len(keys))
	for i, k := range keys {
		out[i] = connectors.MapEntry{Key: k, Value: m[k]}
	}
	return out
}

func appendStruct(b []byte, s *connectors.Schema, st *connectors.Struct) ([]byte, error) {
	if s.Type != connectors.TypeStruct || !connectors.Equal(st.Schema(), s) {
		return nil, connectors.DataError("Mismatching struct schema")
	}
	b = append(b, '{')
	var err error
	for i, f := range s.Fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(connectjson.AppendString(b, f.Name), ':')
		if b, err = appendPayload(b, f.Schema, st.At(i)); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func expectType(s *connectors.Schema, t connectors.Type, v any) error {
	if s.Type != t {
		return mismatch(s, v)
	}
	return nil
}

func mismatch(s *connectors.Schema, v any) error {
	return connectors.DataError("Invalid type for %s: %T", s.Type, v)
}

// payloadTree is a default value as JSON embedded in the schema document.
func payloadTree(s *connectors.Schema, v any) (any, error) {
	b, err := appendPayload(nil, s, v)
	if err != nil {
		return nil, err
	}
	return stdjson.RawMessage(b), nil
}
