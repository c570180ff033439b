package json

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"unicode/utf8"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// CompactPayload returns the schema and the payload of an envelope in the
// usual shape ({"schema":{...},"payload":...}, as readUsual reads it) when
// the payload's bytes are exactly what connectjson.AppendValue writes
// (ReplaceNullWithDefault, either decimal format) for the value ToConnect
// reads from them: compact, every struct field present in the schema's
// order, strings without escapes, numbers as Java prints them. A sink that
// writes values as that JSON (the S3 sink's JsonFormat) copies the payload
// instead of building the value and writing it again. ok is false for
// anything else, a null payload and a schemaless converter included: the
// caller then converts the usual way, so what is written and every error
// stay the same (FuzzCompactPayload checks that).
func (c *Converter) CompactPayload(data []byte) (s *connectors.Schema, payload []byte, ok bool) {
	if !c.cfg.SchemasEnable {
		return nil, nil, false
	}
	d := decoder{data: data}
	if !d.consume('{') {
		return nil, nil, false
	}
	r := c.envelopeHead(&d)
	if r == nil {
		return nil, nil, false
	}
	if d.peek() == 'n' { // a tombstone's null, or a null the schema may turn into its default
		return nil, nil, false
	}
	start := d.pos
	if !d.compact(r, 0) {
		return nil, nil, false
	}
	payload = data[start:d.pos]
	if more, err := d.more('}', false); err != nil || more {
		return nil, nil, false
	}
	return r.s, payload, true
}

// compact reports whether the value at d.pos, read against r, is written
// back as the same bytes, and moves past it. Decimal, Date, Time, bytes and
// maps are not checked (false): their text is rarely already the written one.
func (d *decoder) compact(r *rschema, depth int) bool {
	if d.pos >= len(d.data) || depth > maxDepth {
		return false
	}
	if d.data[d.pos] == 'n' { // written back as null only when optional without a default
		return r.s.Optional && r.s.Default == nil && d.word("null")
	}
	switch r.logical {
	case logicalNone:
	case logicalTimestamp:
		return d.compactInt(64)
	default:
		return false
	}
	switch r.s.Type {
	case connectors.TypeStruct:
		return d.compactStruct(r, depth)
	case connectors.TypeArray:
		return d.compactArray(r, depth)
	case connectors.TypeString:
		return d.compactString()
	case connectors.TypeBoolean:
		return d.word("true") || d.word("false")
	case connectors.TypeInt8:
		return d.compactInt(8)
	case connectors.TypeInt16:
		return d.compactInt(16)
	case connectors.TypeInt32:
		return d.compactInt(32)
	case connectors.TypeInt64:
		return d.compactInt(64)
	case connectors.TypeFloat32:
		return d.compactFloat(32)
	case connectors.TypeFloat64:
		return d.compactFloat(64)
	}
	return false
}

// next moves past c when it is the byte at d.pos.
func (d *decoder) next(c byte) bool {
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

func (d *decoder) compactStruct(r *rschema, depth int) bool {
	if !d.next('{') {
		return false
	}
	for i, f := range r.fields {
		if i > 0 && !d.next(',') {
			return false
		}
		if !d.fieldName(r.s.Fields[i].Name) || !d.next(':') || !d.compact(f, depth+1) {
			return false
		}
	}
	return d.next('}')
}

// fieldName moves past "name" when name is plain ASCII (written as is).
func (d *decoder) fieldName(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	end := d.pos + len(name) + 2
	if end > len(d.data) || d.data[d.pos] != '"' || string(d.data[d.pos+1:end-1]) != name || d.data[end-1] != '"' {
		return false
	}
	d.pos = end
	return true
}

func (d *decoder) compactArray(r *rschema, depth int) bool {
	if !d.next('[') {
		return false
	}
	if d.next(']') {
		return true
	}
	for first := true; ; first = false {
		if !first && !d.next(',') {
			return d.next(']')
		}
		if !d.compact(r.elem, depth+1) {
			return false
		}
	}
}

// compactString moves past a string written back as is: no escape, no
// control character, valid UTF-8 without characters beyond the BMP (Jackson
// writes those as escaped surrogate pairs).
func (d *decoder) compactString() bool {
	if !d.next('"') {
		return false
	}
	start, high := d.pos, uint64(0)
	for ; d.pos+8 <= len(d.data); d.pos += 8 {
		w := binary.LittleEndian.Uint64(d.data[d.pos:])
		if n := firstSpecial(w); n < 8 {
			high |= w & (1<<(8*n) - 1) & msb
			d.pos += n
			break
		}
		high |= w & msb
	}
	for ; d.pos < len(d.data); d.pos++ {
		c := d.data[d.pos]
		if c == '"' || c == '\\' || c < 0x20 {
			break
		}
		if c >= utf8.RuneSelf {
			high = msb
		}
	}
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return false
	}
	s := d.data[start:d.pos]
	d.pos++
	return high == 0 || (utf8.Valid(s) && bytes.IndexFunc(s, func(r rune) bool { return r > 0xFFFF }) < 0)
}

// compactInt moves past an integer of the given bits as Java prints it: no
// leading zero, no "-0", no fraction or exponent, within range (a larger
// one would be narrowed).
func (d *decoder) compactInt(bits int) bool {
	neg := d.next('-')
	digits := d.pos
	var n uint64
	for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' && d.pos-digits < 19 {
		n = n*10 + uint64(d.data[d.pos]-'0')
		d.pos++
	}
	count := d.pos - digits
	if count == 0 || (d.data[digits] == '0' && (count > 1 || neg)) {
		return false
	}
	if d.pos < len(d.data) {
		if c := d.data[d.pos]; c == '.' || c == 'e' || c == 'E' || (c >= '0' && c <= '9') {
			return false
		}
	}
	limit := uint64(1) << (bits - 1)
	return n < limit || (neg && n == limit)
}

// compactFloat moves past a number that Java's Double.toString (or
// Float.toString) prints back as the same bytes.
func (d *decoder) compactFloat(bits int) bool {
	if c := d.data[d.pos]; c != '-' && (c < '0' || c > '9') {
		return false // "NaN" and the infinities, written as strings
	}
	raw, _, err := d.number()
	if err != nil {
		return false
	}
	f, _ := strconv.ParseFloat(string(raw), bits)
	var buf [32]byte
	out := connectjson.AppendJavaDouble(buf[:0], f)
	if bits == 32 {
		out = connectjson.AppendJavaFloat(buf[:0], float32(f))
	}
	return bytes.Equal(out, raw)
}
