package avro

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// obj is a JSON object that keeps its key order: Avro schema text is written
// in the order Avro's Java Schema.toString writes it.
type obj []member

type member struct {
	key string
	val any // string, int, int64, float32, float64, bool, nil, obj, []any, map[string]any, rawJSON
}

// rawJSON is JSON text written as is.
type rawJSON []byte

func (o obj) with(key string, val any) obj { return append(o, member{key, val}) }

// appendJSON writes v as JSON.
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float32:
		return strconv.AppendFloat(b, float64(x), 'g', -1, 32)
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case rawJSON:
		return append(b, x...)
	case obj:
		b = append(b, '{')
		for i, m := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m.key)
			b = append(b, ':')
			b = appendJSON(b, m.val)
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	}
	js, _ := json.Marshal(v)
	return append(b, js...)
}

// appendString writes a JSON string as Jackson does: <, > and & unescaped.
func appendString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
