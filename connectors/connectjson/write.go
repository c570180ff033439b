package connectjson

import (
	"encoding/base64"
	"math"
	"sort"
	"strconv"

	"github.com/ferryhq/ferry/connectors"
)

// encoder appends JSON to buf exactly as JsonConverter.convertToJson followed
// by Jackson's compact writer would, without building a tree.
type encoder struct {
	buf         []byte
	replaceNull bool
	numeric     bool
}

// Error messages of JsonConverter, verbatim.
const (
	msgNullRequired = "Conversion error: null value for field that is required and has no default value"
	msgMismatch     = "Mismatching schema."
)

// value writes v under schema s (nil for schemaless).
func (e *encoder) value(s *connectors.Schema, v any) error {
	if v == nil {
		switch {
		case s == nil:
			e.buf = append(e.buf, "null"...)
			return nil
		case s.Default != nil && e.replaceNull:
			return e.value(s, s.Default)
		case s.Optional:
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return connectors.DataError(msgNullRequired)
	}
	if s != nil && s.Name != "" {
		if done, err := e.logical(s, v); done {
			return err
		}
	}
	if s == nil {
		return e.schemaless(v)
	}
	switch s.Type {
	case connectors.TypeArray:
		arr, ok := v.([]any)
		if !ok {
			return invalidType(s, v)
		}
		return e.array(s.ValueSchema, arr)
	case connectors.TypeMap:
		return e.mapValue(s, v)
	case connectors.TypeStruct:
		st, ok := v.(*connectors.Struct)
		if !ok {
			return invalidType(s, v)
		}
		return e.structValue(s, st)
	}
	if !e.primitive(s.Type, v) {
		return invalidType(s, v)
	}
	return nil
}

func invalidType(s *connectors.Schema, v any) error {
	return connectors.DataError("Invalid type for %s: %s", s.Type, javaClass(v))
}

// primitive writes v if it is the Go type of t; false means a type mismatch.
func (e *encoder) primitive(t connectors.Type, v any) bool {
	switch t {
	case connectors.TypeInt8:
		x, ok := v.(int8)
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
		return ok
	case connectors.TypeInt16:
		x, ok := v.(int16)
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
		return ok
	case connectors.TypeInt32:
		x, ok := v.(int32)
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
		return ok
	case connectors.TypeInt64:
		x, ok := v.(int64)
		e.buf = strconv.AppendInt(e.buf, x, 10)
		return ok
	case connectors.TypeFloat32:
		x, ok := v.(float32)
		e.float(float64(x), 32)
		return ok
	case connectors.TypeFloat64:
		x, ok := v.(float64)
		e.float(x, 64)
		return ok
	case connectors.TypeBoolean:
		x, ok := v.(bool)
		e.buf = strconv.AppendBool(e.buf, x)
		return ok
	case connectors.TypeString:
		x, ok := v.(string)
		e.str(x)
		return ok
	case connectors.TypeBytes:
		x, ok := v.([]byte)
		e.bytes(x)
		return ok
	}
	return false
}

// float writes a number as Jackson does; NaN and infinities become strings
// (Jackson's QUOTE_NON_NUMERIC_NUMBERS, on by default).
func (e *encoder) float(f float64, bits int) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.buf = append(e.buf, '"')
		e.buf = appendJavaFloat(e.buf, f, bits)
		e.buf = append(e.buf, '"')
		return
	}
	e.buf = appendJavaFloat(e.buf, f, bits)
}

func (e *encoder) bytes(b []byte) {
	e.buf = append(e.buf, '"')
	e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
	e.buf = append(e.buf, '"')
}

func (e *encoder) array(elem *connectors.Schema, arr []any) error {
	e.buf = append(e.buf, '[')
	for i, x := range arr {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(elem, x); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

// mapValue writes a MAP: a JSON object when keys are strings, else [[k,v],...].
func (e *encoder) mapValue(s *connectors.Schema, v any) error {
	var ks, vs *connectors.Schema
	objectMode := true
	if s != nil {
		ks, vs = s.KeySchema, s.ValueSchema
		objectMode = ks.Type == connectors.TypeString
	}
	switch m := v.(type) {
	case map[string]any:
		if !objectMode {
			return e.entries(ks, vs, sortedEntries(m))
		}
		return e.object(vs, m)
	case connectors.MapEntries:
		if s == nil {
			for _, en := range m {
				if _, ok := en.Key.(string); !ok {
					objectMode = false
					break
				}
			}
		}
		if objectMode {
			return e.objectEntries(ks, vs, m)
		}
		return e.entries(ks, vs, m)
	}
	if s == nil {
		return connectors.DataError("Invalid type for MAP: %s", javaClass(v))
	}
	return invalidType(s, v)
}

// object writes a string-keyed map with sorted keys: Java's HashMap order
// cannot be reproduced, so ferry picks a stable one (deliberate difference).
func (e *encoder) object(vs *connectors.Schema, m map[string]any) error {
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.str(k)
		e.buf = append(e.buf, ':')
		if err := e.value(vs, m[k]); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

func sortedEntries(m map[string]any) connectors.MapEntries {
	out := make(connectors.MapEntries, 0, len(m))
	for k, v := range m {
		out = append(out, connectors.MapEntry{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key.(string) < out[j].Key.(string) })
	return out
}

// objectEntries writes entries whose keys render as text, as ObjectNode.set(key.asText()).
func (e *encoder) objectEntries(ks, vs *connectors.Schema, m connectors.MapEntries) error {
	e.buf = append(e.buf, '{')
	for i, en := range m {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		k, ok := en.Key.(string)
		if !ok {
			if ks != nil {
				return invalidType(ks, en.Key)
			}
			return connectors.DataError("Invalid type for STRING: %s", javaClass(en.Key))
		}
		e.str(k)
		e.buf = append(e.buf, ':')
		if err := e.value(vs, en.Value); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

func (e *encoder) entries(ks, vs *connectors.Schema, m connectors.MapEntries) error {
	e.buf = append(e.buf, '[')
	for i, en := range m {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = append(e.buf, '[')
		if err := e.value(ks, en.Key); err != nil {
			return err
		}
		e.buf = append(e.buf, ',')
		if err := e.value(vs, en.Value); err != nil {
			return err
		}
		e.buf = append(e.buf, ']')
	}
	e.buf = append(e.buf, ']')
	return nil
}

func (e *encoder) structValue(s *connectors.Schema, st *connectors.Struct) error {
	if st.Schema() != s && !connectors.Equal(st.Schema(), s) {
		return connectors.DataError(msgMismatch)
	}
	e.buf = append(e.buf, '{')
	for i := range s.Fields {
		f := &s.Fields[i]
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.str(f.Name)
		e.buf = append(e.buf, ':')
		if err := e.value(f.Schema, st.At(i)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// schemaless writes a value with no schema, its type taken from the Go type.
func (e *encoder) schemaless(v any) error {
	switch x := v.(type) {
	case int8, int16, int32, int64, float32, float64, bool, string, []byte:
		e.primitive(goType(v), v)
		return nil
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
		return nil
	case []any:
		return e.array(nil, x)
	case map[string]any, connectors.MapEntries:
		return e.mapValue(nil, v)
	case *connectors.Struct:
		return connectors.DataError(msgMismatch)
	}
	return connectors.DataError("Java class %s does not have corresponding schema type.", javaClass(v)[len("class "):])
}

func goType(v any) connectors.Type {
	switch v.(type) {
	case int8:
		return connectors.TypeInt8
	case int16:
		return connectors.TypeInt16
	case int32:
		return connectors.TypeInt32
	case int64:
		return connectors.TypeInt64
	case float32:
		return connectors.TypeFloat32
	case float64:
		return connectors.TypeFloat64
	case bool:
		return connectors.TypeBoolean
	case string:
		return connectors.TypeString
	}
	return connectors.TypeBytes
}
