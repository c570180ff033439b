package datagen

import (
	"math"
	"strconv"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// draw is the generated value of one primitive field of a quickstart
// schema, unboxed: a quickstart's generator fills one draw per primitive
// field, nested structs' fields in place, in the schema's order. The draws
// then become the record's Struct (build) or its JSON (jsonShape.append).
type draw struct {
	n int64   // INT32 (wrapped to int32 already) and INT64 fields
	f float64 // FLOAT64 fields
	s *text   // STRING fields: an entry of a value table
}

// primitives lists the types of the primitive fields of s in the order of
// its draws; ok is false when s holds a type the draws cannot carry.
func primitives(s *connectors.Schema) (types []connectors.Type, ok bool) {
	for _, f := range s.Fields {
		switch t := f.Schema.Type; t {
		case connectors.TypeStruct:
			inner, ok := primitives(f.Schema)
			if !ok {
				return nil, false
			}
			types = append(types, inner...)
		case connectors.TypeInt32, connectors.TypeInt64, connectors.TypeFloat64, connectors.TypeString:
			types = append(types, t)
		default:
			return nil, false
		}
	}
	return types, true
}

// build returns the Struct of schema s holding ds, its values boxed in sl,
// and the draws left after it.
func build(s *connectors.Schema, ds []draw, sl *connectors.StructSlab) (*connectors.Struct, []draw) {
	st := sl.New(s)
	for i, f := range s.Fields {
		if f.Schema.Type == connectors.TypeStruct {
			var inner *connectors.Struct
			inner, ds = build(f.Schema, ds, sl)
			st.Set(i, inner)
			continue
		}
		d := &ds[0]
		ds = ds[1:]
		switch f.Schema.Type {
		case connectors.TypeInt32:
			st.Set(i, sl.Int32(int32(d.n)))
		case connectors.TypeInt64:
			st.Set(i, sl.Int64(d.n))
		case connectors.TypeFloat64:
			st.Set(i, sl.Float64(d.f))
		case connectors.TypeString:
			st.Set(i, d.s.v)
		}
	}
	return st, ds
}

// jsonShape writes a quickstart's values from their draws as the
// JsonConverter with schemas.enable=false writes the Structs build makes:
// the text around the numbers and strings (braces, field names, commas) is
// written once, by connectjson, when the shape is made.
type jsonShape struct {
	types []connectors.Type
	// lits[i] is the text before draw i; the last one closes the value.
	lits [][]byte
}

// newShape returns the shape of values of schema s, or nil when a field's
// type is one the draws cannot carry.
func newShape(s *connectors.Schema) *jsonShape {
	types, ok := primitives(s)
	if !ok {
		return nil
	}
	sh := &jsonShape{types: types}
	var lit []byte
	var walk func(s *connectors.Schema)
	walk = func(s *connectors.Schema) {
		lit = append(lit, '{')
		for i, f := range s.Fields {
			if i > 0 {
				lit = append(lit, ',')
			}
			lit = append(connectjson.AppendString(lit, f.Name), ':')
			if f.Schema.Type == connectors.TypeStruct {
				walk(f.Schema)
				continue
			}
			sh.lits, lit = append(sh.lits, lit), nil
		}
		lit = append(lit, '}')
	}
	walk(s)
	sh.lits = append(sh.lits, lit)
	return sh
}

// append writes the value of ds to dst.
func (sh *jsonShape) append(dst []byte, ds []draw) []byte {
	for i, t := range sh.types {
		dst = append(dst, sh.lits[i]...)
		d := &ds[i]
		switch t {
		case connectors.TypeInt32, connectors.TypeInt64:
			dst = strconv.AppendInt(dst, d.n, 10)
		case connectors.TypeFloat64:
			dst = appendJSONDouble(dst, d.f)
		case connectors.TypeString:
			dst = append(dst, d.s.json...)
		}
	}
	return append(dst, sh.lits[len(sh.types)]...)
}

// appendJSONDouble writes f as the JsonConverter does: Java's printing, and
// NaN and the infinities as strings (Jackson's QUOTE_NON_NUMERIC_NUMBERS).
func appendJSONDouble(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(connectjson.AppendJavaDouble(append(dst, '"'), f), '"')
	}
	return connectjson.AppendJavaDouble(dst, f)
}
