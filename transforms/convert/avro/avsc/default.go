package avsc

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
)

// deref is the named type a reference refers to, or s.
func deref(s Schema) Schema {
	if r, ok := s.(*RefSchema); ok {
		return r.actual
	}
	return s
}

// defaultFor checks the JSON default v against s and converts it (see
// Field.Default); a union's default is its first branch's.
func defaultFor(s Schema, v any) (any, bool) {
	switch s := deref(s).(type) {
	case *UnionSchema:
		return defaultFor(s.types[0], v)
	case *PrimitiveSchema:
		return primitiveDefault(s.typ, v)
	case *EnumSchema:
		str, ok := v.(string)
		if !ok {
			return nil, false
		}
		for _, sym := range s.symbols {
			if sym == str {
				return str, true
			}
		}
		return nil, false
	case *FixedSchema:
		b, ok := primitiveDefault(Bytes, v)
		return b, ok && len(b.([]byte)) == s.size
	case *ArraySchema:
		arr, ok := v.([]any)
		if !ok {
			return nil, false
		}
		out := make([]any, len(arr))
		for i, e := range arr {
			if out[i], ok = defaultFor(s.items, e); !ok {
				return nil, false
			}
		}
		return out, true
	case *MapSchema:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			if out[k], ok = defaultFor(s.values, e); !ok {
				return nil, false
			}
		}
		return out, true
	case *RecordSchema:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		out := make(map[string]any, len(s.fields))
		for _, f := range s.fields {
			e, has := m[f.name]
			if !has {
				if !f.hasDef {
					return nil, false
				}
				out[f.name] = f.def
				continue
			}
			if out[f.name], ok = defaultFor(f.typ, e); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// primitiveDefault converts a JSON default for a primitive type.
func primitiveDefault(t Type, v any) (any, bool) {
	switch t {
	case Null:
		return nil, v == nil
	case Boolean:
		b, ok := v.(bool)
		return b, ok
	case String:
		s, ok := v.(string)
		return s, ok
	case Bytes:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 255 {
				return nil, false
			}
			b = append(b, byte(r))
		}
		return b, true
	}
	n, ok := v.(json.Number)
	if !ok {
		return nil, false
	}
	switch t {
	case Int:
		i, err := n.Int64()
		return int(i), err == nil && i >= math.MinInt32 && i <= math.MaxInt32
	case Long:
		i, err := n.Int64()
		return i, err == nil
	case Float:
		f, err := n.Float64()
		return float32(f), err == nil
	case Double:
		f, err := n.Float64()
		return f, err == nil
	}
	return nil, false
}

// compact is the JSON text of v without whitespace or HTML escaping.
func compact(v any) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}
