package connectjson

import (
	"encoding/base64"
	"math"
	"sort"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

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

const hexDigits = "0123456789ABCDEF"

// plain8 reports whether the first eight bytes of s are ASCII that a JSON
// string holds as is (none below 0x20, no '"', no '\\'): str copies such
// runs eight bytes at a time.
func plain8(s string) bool {
	return plainWord(uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56)
}

// plainWord is plain8 of the eight bytes of w.
func plainWord(w uint64) bool {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	q, bs := w^(lsb*'"'), w^(lsb*'\\')
	return (w|(q-lsb)&^q|(bs-lsb)&^bs|(w-lsb*0x20)&^w)&msb == 0
}

// plainString reports whether str writes s as is: every byte plain8 would
// call plain. The bytes past the last whole eight are tested within words
// of s's own bytes (overlapping ones: the last eight bytes of s, or its
// first and last four), a string of up to three bytes with plain filler.
func plainString(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if !plain8(s[i:]) {
			return false
		}
	}
	switch n := len(s); {
	case i == n:
		return true
	case n >= 8:
		return plain8(s[n-8:])
	case n >= 4:
		return plainWord(load4(s) | load4(s[n-4:])<<32)
	}
	w := uint64(0x6161616161616161) // "aaaaaaaa"
	for j := 0; j < len(s); j++ {
		w = w&^(0xff<<(8*j)) | uint64(s[j])<<(8*j)
	}
	return plainWord(w)
}

// load4 is the first four bytes of s as a little-endian word.
func load4(s string) uint64 {
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}

// str writes a JSON string as Jackson does: short escapes for \b \t \n \f \r,
// \u00XX (upper-case hex) for other control characters, '"' and '\\' escaped,
// everything else (including '/', '<', U+2028 and non-ASCII) written as is.
// Invalid UTF-8 is written as U+FFFD, as a Java String would hold it.
func (e *encoder) str(s string) {
	if plainString(s) { // most strings: copied in one step
		e.buf = append(append(append(e.buf, '"'), s...), '"')
		return
	}
	b := append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && plain8(s[i:]) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\uFFFD"...)
				i++
				start = i
				continue
			}
			if r > 0xFFFF {
				// Jackson's UTF-8 generator escapes characters outside the
				// BMP as a surrogate pair (COMBINE_UNICODE_SURROGATES_IN_UTF8
				// is off by default).
				b = append(b, s[start:i]...)
				hi, lo := utf16.EncodeRune(r)
				b = appendU(appendU(b, hi), lo)
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	e.buf = append(b, '"')
}

// appendU writes \uXXXX with upper-case hex digits, as Jackson does.
func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
}
