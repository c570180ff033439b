package json

import (
	"encoding/base64"
	"math"
	"strconv"

	"github.com/ferryhq/ferry/connectors"
)

// null resolves a null or missing value: the default (when enabled), null when
// optional, else Kafka Connect's error.
func (d *decoder) null(r *rschema) (any, error) {
	if r.s.Default != nil && d.replaceNull {
		return r.s.Default, nil
	}
	if r.s.Optional {
		return nil, nil
	}
	return nil, connectors.DataError("Invalid null value for required %s field", r.s.Type)
}

// mismatch reports a JSON value whose type does not fit the schema. Kafka
// (Jackson) would silently read 0, false or null; ferry refuses instead.
func (d *decoder) mismatch(r *rschema) error {
	return connectors.DataError("Invalid JSON %s for schema type %s", d.nodeType(), r.s.Type)
}

// typed reads one value against a schema.
func (d *decoder) typed(r *rschema) (any, error) {
	c := d.peek()
	if c == 'n' {
		if err := d.literal("null"); err != nil {
			return nil, err
		}
		return d.null(r)
	}
	if c == 0 {
		return nil, d.fail("unexpected end-of-input")
	}
	if r.logical != logicalNone {
		return d.logical(r)
	}
	switch r.s.Type {
	case connectors.TypeArray:
		return d.array(r)
	case connectors.TypeMap:
		return d.mapValue(r)
	case connectors.TypeStruct:
		return d.structValue(r)
	case connectors.TypeString:
		if c != '"' {
			return nil, d.mismatch(r)
		}
		return d.str()
	case connectors.TypeBytes:
		return d.bytes(r)
	case connectors.TypeBoolean:
		return d.boolean(r)
	}
	return d.numeric(r)
}

func (d *decoder) boolean(r *rschema) (any, error) {
	switch d.data[d.pos] {
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	}
	return nil, d.mismatch(r)
}

func (d *decoder) bytes(r *rschema) (any, error) {
	if d.data[d.pos] != '"' {
		return nil, d.mismatch(r)
	}
	s, err := d.str()
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, connectors.DataError("Invalid bytes field")
	}
	return b, nil
}

// numeric reads the int and float types, narrowing as Java's casts do.
func (d *decoder) numeric(r *rschema) (any, error) {
	c := d.data[d.pos]
	if c == '"' && (r.s.Type == connectors.TypeFloat32 || r.s.Type == connectors.TypeFloat64) {
		return d.nonFinite(r)
	}
	if c != '-' && (c < '0' || c > '9') {
		return nil, d.mismatch(r)
	}
	raw, integral, err := d.number()
	if err != nil {
		return nil, err
	}
	switch r.s.Type {
	case connectors.TypeFloat32:
		f, _ := strconv.ParseFloat(string(raw), 32)
		return float32(f), nil
	case connectors.TypeFloat64:
		f, _ := strconv.ParseFloat(string(raw), 64)
		return f, nil
	}
	n := numberInt64(raw, integral)
	switch r.s.Type {
	case connectors.TypeInt8:
		return int8(n), nil
	case connectors.TypeInt16:
		return int16(n), nil
	case connectors.TypeInt32:
		return int32(n), nil
	}
	return n, nil
}

// nonFinite reads "NaN", "Infinity" or "-Infinity", which Jackson writes as
// strings. Kafka reads them back as 0.0; ferry keeps them (deliberate).
func (d *decoder) nonFinite(r *rschema) (any, error) {
	start := d.pos
	s, err := d.str()
	if err != nil {
		return nil, err
	}
	var f float64
	switch s {
	case "NaN":
		f = math.NaN()
	case "Infinity":
		f = math.Inf(1)
	case "-Infinity":
		f = math.Inf(-1)
	default:
		d.pos = start
		return nil, d.mismatch(r)
	}
	if r.s.Type == connectors.TypeFloat32 {
		return float32(f), nil
	}
	return f, nil
}

func (d *decoder) array(r *rschema) (any, error) {
	if d.data[d.pos] != '[' {
		return nil, d.mismatch(r)
	}
	d.pos++
	if err := d.enter(); err != nil {
		return nil, err
	}
	out := []any{}
	for first := true; ; first = false {
		ok, err := d.more(']', first)
		if err != nil || !ok {
			return out, err
		}
		v, err := d.typed(r.elem)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

func (d *decoder) mapValue(r *rschema) (any, error) {
	if r.key.s.Type == connectors.TypeString {
		if d.data[d.pos] != '{' {
			return nil, connectors.DataError("Maps with string fields should be encoded as JSON objects, but found %s", d.nodeType())
		}
		return d.object(r.elem)
	}
	if d.data[d.pos] != '[' {
		return nil, connectors.DataError("Maps with non-string fields should be encoded as JSON array of tuples, but found %s", d.nodeType())
	}
	d.pos++
	if err := d.enter(); err != nil {
		return nil, err
	}
	out := connectors.MapEntries{}
	for first := true; ; first = false {
		ok, err := d.more(']', first)
		if err != nil || !ok {
			return out, err
		}
		e, err := d.entry(r)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
}

// entry reads one [key, value] tuple of a non-string-keyed map.
func (d *decoder) entry(r *rschema) (connectors.MapEntry, error) {
	if d.peek() != '[' {
		return connectors.MapEntry{}, connectors.DataError("Found invalid map entry instead of array tuple: %s", d.nodeType())
	}
	start := d.pos
	raw, err := d.span()
	if err != nil {
		return connectors.MapEntry{}, err
	}
	if n := countElements(raw); n != 2 {
		return connectors.MapEntry{}, connectors.DataError("Found invalid map entry, expected length 2 but found :%d", n)
	}
	d.pos = start + 1
	k, err := d.typed(r.key)
	if err != nil {
		return connectors.MapEntry{}, err
	}
	if !d.consume(',') {
		return connectors.MapEntry{}, d.fail("expected ','")
	}
	v, err := d.typed(r.elem)
	if err != nil {
		return connectors.MapEntry{}, err
	}
	return connectors.MapEntry{Key: k, Value: v}, d.expect(']')
}

// countElements counts the elements of a valid raw JSON array.
func countElements(raw []byte) int {
	d := decoder{data: raw, pos: 1}
	n := 0
	for first := true; ; first = false {
		ok, err := d.more(']', first)
		if err != nil || !ok {
			return n
		}
		if d.skip() != nil {
			return n
		}
		n++
	}
}

// object reads a JSON object into a string-keyed map (vs nil: schemaless).
func (d *decoder) object(vs *rschema) (map[string]any, error) {
	d.pos++
	if err := d.enter(); err != nil {
		return nil, err
	}
	out := map[string]any{}
	for first := true; ; first = false {
		ok, err := d.more('}', first)
		if err != nil || !ok {
			return out, err
		}
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		var v any
		if vs == nil {
			v, err = d.schemaless()
		} else {
			v, err = d.typed(vs)
		}
		if err != nil {
			return nil, err
		}
		out[d.keys.intern(k)] = v
	}
}

func (d *decoder) structValue(r *rschema) (any, error) {
	if d.data[d.pos] != '{' {
		return nil, connectors.DataError("Structs should be encoded as JSON objects, but found %s", d.nodeType())
	}
	d.pos++
	if err := d.enter(); err != nil {
		return nil, err
	}
	st := connectors.NewStruct(r.s)
	for first := true; ; first = false {
		ok, err := d.more('}', first)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		i := r.field(k)
		if i < 0 {
			if err := d.skip(); err != nil {
				return nil, err
			}
			continue
		}
		v, err := d.typed(r.fields[i])
		if err != nil {
			return nil, err
		}
		st.Set(i, v)
	}
	for i, f := range r.fields {
		if st.At(i) == nil {
			v, err := d.null(f)
			if err != nil {
				return nil, err
			}
			st.Set(i, v)
		}
	}
	return st, nil
}

// schemaless reads a value with no schema: integers as int64, other numbers
// as float64, objects as map[string]any, arrays as []any.
func (d *decoder) schemaless() (any, error) {
	switch c := d.peek(); {
	case c == '{':
		return d.object(nil)
	case c == '[':
		d.pos++
		if err := d.enter(); err != nil {
			return nil, err
		}
		out := []any{}
		for first := true; ; first = false {
			ok, err := d.more(']', first)
			if err != nil || !ok {
				return out, err
			}
			v, err := d.schemaless()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	case c == '"':
		s, err := d.str()
		if d.share && err == nil {
			return d.boxes.str(s), nil
		}
		return s, err
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		raw, integral, err := d.number()
		if err != nil {
			return nil, err
		}
		if integral {
			if d.share {
				return d.boxes.int64(parseInt64(raw)), nil
			}
			return parseInt64(raw), nil
		}
		f, _ := strconv.ParseFloat(string(raw), 64)
		if d.share {
			return d.boxes.float64(f), nil
		}
		return f, nil
	}
	return nil, d.fail("unexpected character")
}
