package avro

import (
	"encoding/base64"
	"math"
	"math/big"
	"sort"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// defaultJSON is AvroData.defaultValueFromConnect: a Connect default value in
// Avro's JSON encoding (bytes as a string of code points 0-255, logical types
// as their underlying int or long, structs as objects). The connect.default
// property holds the same tree as Jackson writes it, bytes in base64 (b64).
func defaultJSON(s *connectors.Schema, v any, b64 bool) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch s.Name {
	case connectors.DecimalName:
		d, ok := v.(connectors.Decimal)
		if !ok {
			return nil, connectors.DataError("Invalid type for Decimal default: %T", v)
		}
		return bytesJSON(connectors.DecimalToBytes(d), b64), nil
	case connectors.DateName, connectors.TimeName, connectors.TimestampName:
		t, ok := v.(time.Time)
		if !ok {
			return nil, connectors.DataError("Invalid type for %s default: %T", s.Name, v)
		}
		return logicalInt(s.Name, t)
	}
	switch x := v.(type) {
	case int8:
		return int(x), nil
	case int16:
		return int(x), nil
	case int32:
		return int(x), nil
	case int64, float32, float64, bool, string:
		return x, nil
	case []byte:
		return bytesJSON(x, b64), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			d, err := defaultJSON(s.ValueSchema, e, b64)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		return out, nil
	case map[string]any:
		return mapDefault(s, x, b64)
	case connectors.MapEntries:
		return entriesDefault(s, x, b64)
	case *connectors.Struct:
		o := obj{}
		for i, f := range s.Fields {
			d, err := defaultJSON(f.Schema, x.At(i), b64)
			if err != nil {
				return nil, err
			}
			o = o.with(f.Name, d)
		}
		return o, nil
	}
	return nil, connectors.DataError("Unknown default value type %T for schema type %s", v, s.Type)
}

func mapDefault(s *connectors.Schema, m map[string]any, b64 bool) (any, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if s.KeySchema.Type != connectors.TypeString || s.KeySchema.Optional {
		entries := make(connectors.MapEntries, len(keys))
		for i, k := range keys {
			entries[i] = connectors.MapEntry{Key: k, Value: m[k]}
		}
		return entriesDefault(s, entries, b64)
	}
	o := obj{}
	for _, k := range keys {
		d, err := defaultJSON(s.ValueSchema, m[k], b64)
		if err != nil {
			return nil, err
		}
		o = o.with(k, d)
	}
	return o, nil
}

func entriesDefault(s *connectors.Schema, es connectors.MapEntries, b64 bool) (any, error) {
	out := make([]any, len(es))
	for i, e := range es {
		k, err := defaultJSON(s.KeySchema, e.Key, b64)
		if err != nil {
			return nil, err
		}
		v, err := defaultJSON(s.ValueSchema, e.Value, b64)
		if err != nil {
			return nil, err
		}
		out[i] = obj{{"key", k}, {"value", v}}
	}
	return out, nil
}

func bytesJSON(b []byte, b64 bool) string {
	if b64 {
		return base64.StdEncoding.EncodeToString(b)
	}
	return latin1(b)
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// logicalInt is the int (Date days, Time millis) or long (Timestamp millis) of a time.
func logicalInt(name string, t time.Time) (any, error) {
	switch name {
	case connectors.DateName:
		d, err := connectors.DateToDays(t)
		return int(d), err
	case connectors.TimeName:
		ms, err := connectors.TimeToMillis(t)
		return int(ms), err
	}
	return t.UnixMilli(), nil
}

// defaultFromAvro converts a default decoded by the Avro library (int, int64,
// float32, float64, []byte, map[string]any, []any; numbers sometimes float64)
// into the Connect value for s.
func defaultFromAvro(s *connectors.Schema, v any) (any, error) { return fromDefault(s, v, false) }

// fromDefault converts a default; b64 says bytes are base64 (connect.default)
// rather than code points 0-255 (a field default).
func fromDefault(s *connectors.Schema, v any, b64 bool) (any, error) {
	if v == nil {
		return nil, nil
	}
	if str, ok := v.(string); ok && s.Type == connectors.TypeBytes {
		if !b64 {
			v = bytesFromLatin1(str)
		} else if b, err := base64.StdEncoding.DecodeString(str); err == nil {
			v = b
		} else {
			return nil, connectors.DataError("Invalid base64 bytes in %s: %q", propDefault, str)
		}
	}
	switch s.Name {
	case connectors.DecimalName:
		b, ok := v.([]byte)
		if !ok {
			return nil, connectors.DataError("Invalid Decimal default %v", v)
		}
		scale, err := connectors.DecimalScale(s)
		if err != nil {
			return nil, err
		}
		return connectors.DecimalFromBytes(b, scale), nil
	case connectors.DateName:
		return connectors.DaysToDate(int32(num(v))), nil
	case connectors.TimeName:
		return connectors.MillisToTime(int32(num(v))), nil
	case connectors.TimestampName:
		return time.UnixMilli(int64(num(v))).UTC(), nil
	}
	return plainDefault(s, v, b64)
}

func plainDefault(s *connectors.Schema, v any, b64 bool) (any, error) {
	switch s.Type {
	case connectors.TypeInt8:
		return int8(num(v)), nil
	case connectors.TypeInt16:
		return int16(num(v)), nil
	case connectors.TypeInt32:
		return int32(num(v)), nil
	case connectors.TypeInt64:
		if i, ok := v.(int64); ok {
			return i, nil
		}
		return int64(num(v)), nil
	case connectors.TypeFloat32:
		return float32(num(v)), nil
	case connectors.TypeFloat64:
		return num(v), nil
	case connectors.TypeBoolean, connectors.TypeString, connectors.TypeBytes:
		return v, nil
	case connectors.TypeArray:
		arr, _ := v.([]any)
		out := make([]any, len(arr))
		for i, e := range arr {
			d, err := fromDefault(s.ValueSchema, e, b64)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		return out, nil
	case connectors.TypeMap:
		return mapFromAvro(s, v, b64)
	case connectors.TypeStruct:
		m, _ := v.(map[string]any)
		st := connectors.NewStruct(s)
		for i, f := range s.Fields {
			d, err := fromDefault(f.Schema, m[f.Name], b64)
			if err != nil {
				return nil, err
			}
			st.Set(i, d)
		}
		return st, nil
	}
	return nil, connectors.DataError("Unsupported default for schema type %s", s.Type)
}

func mapFromAvro(s *connectors.Schema, v any, b64 bool) (any, error) {
	if m, ok := v.(map[string]any); ok {
		out := make(map[string]any, len(m))
		for k, e := range m {
			d, err := fromDefault(s.ValueSchema, e, b64)
			if err != nil {
				return nil, err
			}
			out[k] = d
		}
		return out, nil
	}
	arr, _ := v.([]any)
	out := make(connectors.MapEntries, 0, len(arr))
	for _, e := range arr {
		m, _ := e.(map[string]any)
		k, err := fromDefault(s.KeySchema, m["key"], b64)
		if err != nil {
			return nil, err
		}
		val, err := fromDefault(s.ValueSchema, m["value"], b64)
		if err != nil {
			return nil, err
		}
		out = append(out, connectors.MapEntry{Key: k, Value: val})
	}
	return out, nil
}

func bytesFromLatin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = append(out, byte(r))
	}
	return out
}

// num reads any JSON-decoded number as float64.
func num(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	case float64:
		return x
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	}
	return math.NaN()
}
