package simpleheader

import (
	"github.com/ferryhq/ferry/connectors"
)

// typed is one parsed embedded value with its inferred schema (nil for null).
type typed struct {
	schema *connectors.Schema
	value  any
}

// common finds the schema shared by elements: equal schemas, integers widened
// to the widest integer type, floats to FLOAT64. Nulls make it optional; no
// element at all gives an optional STRING. ok is false when there is none.
func common(elems []typed) (*connectors.Schema, []any, bool) {
	var s *connectors.Schema
	hasNull := false
	for _, e := range elems {
		switch {
		case e.schema == nil:
			hasNull = true
		case s == nil:
			s = e.schema
		case connectors.Equal(s, e.schema):
		case widenable(s, e.schema):
			if e.schema.Type > s.Type {
				s = e.schema
			}
		default:
			return nil, nil, false
		}
	}
	if s == nil {
		s = connectors.OptionalStringSchema
	}
	vals := make([]any, len(elems))
	for i, e := range elems {
		vals[i] = widen(e.value, s.Type)
	}
	if hasNull && !s.Optional {
		cp := *s
		cp.Optional = true
		s = &cp
	}
	return s, vals, true
}

func widenable(a, b *connectors.Schema) bool {
	if a.Name != "" || b.Name != "" {
		return false
	}
	ints := func(t connectors.Type) bool { return t >= connectors.TypeInt8 && t <= connectors.TypeInt64 }
	floats := func(t connectors.Type) bool { return t == connectors.TypeFloat32 || t == connectors.TypeFloat64 }
	return (ints(a.Type) && ints(b.Type)) || (floats(a.Type) && floats(b.Type))
}

func widen(v any, t connectors.Type) any {
	var n int64
	switch x := v.(type) {
	case int8:
		n = int64(x)
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case float32:
		if t == connectors.TypeFloat64 {
			return float64(x)
		}
		return v
	default:
		return v
	}
	switch t {
	case connectors.TypeInt16:
		return int16(n)
	case connectors.TypeInt32:
		return int32(n)
	case connectors.TypeInt64:
		return n
	}
	return v
}
