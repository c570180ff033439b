package json

import (
	"bytes"
	"encoding/binary"
	"strconv"

	"github.com/ferryhq/ferry/connectors"
)

// Schemaless reports whether the converter reads plain JSON
// (schemas.enable=false), the data AppendJavaText prints.
func (c *Converter) Schemaless() bool { return !c.cfg.SchemasEnable }

// AppendJavaText appends to dst what connectors.AppendJava prints for the
// value ToConnect returns for data, without building that value (no maps,
// no slices, no strings), and fails with ToConnect's error where ToConnect
// fails. It is for a converter that is Schemaless; with schemas.enable=true
// it prints nothing and returns the data's envelope error.
//
// The walk is schemaless's (readvalue.go), step for step, so it accepts and
// refuses exactly what ToConnect does: the same decoder methods in the same
// order. Objects print as AppendJava prints a map: entries sorted by key, a
// repeated key once with its last value (a map keeps the last).
func (c *Converter) AppendJavaText(dst, data []byte) ([]byte, error) {
	if c.cfg.SchemasEnable {
		return dst, connectors.DataError(msgEnvelope)
	}
	d := decoder{data: data}
	if d.ws(); d.pos >= len(d.data) { // nil, empty or blank: ToConnect's null
		return append(dst, "null"...), nil
	}
	out, err := d.java(dst)
	if err != nil {
		return dst, serializationError(err)
	}
	return out, nil
}

// java appends the next value as connectors.AppendJava prints what
// schemaless returns for it.
func (d *decoder) java(dst []byte) ([]byte, error) {
	switch c := d.peek(); {
	case c == '{':
		return d.javaObject(dst)
	case c == '[':
		d.pos++
		if err := d.enter(); err != nil {
			return dst, err
		}
		dst = append(dst, '[')
		for first := true; ; first = false {
			ok, err := d.more(']', first)
			if err != nil || !ok {
				return append(dst, ']'), err
			}
			if !first {
				dst = append(dst, ", "...)
			}
			if dst, err = d.java(dst); err != nil {
				return dst, err
			}
		}
	case c == '"':
		raw, esc, err := d.stringSpan()
		if err != nil || !esc {
			return append(dst, raw...), err
		}
		s, err := unescape(raw)
		if err != nil {
			return dst, d.fail(err.Error())
		}
		return append(dst, s...), nil
	case c == 't':
		return append(dst, "true"...), d.literal("true")
	case c == 'f':
		return append(dst, "false"...), d.literal("false")
	case c == 'n':
		return append(dst, "null"...), d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		raw, integral, err := d.number()
		if err != nil {
			return dst, err
		}
		if integral && canonicalInt(raw) {
			return append(dst, raw...), nil
		}
		if integral {
			return strconv.AppendInt(dst, parseInt64(raw), 10), nil
		}
		f, _ := strconv.ParseFloat(string(raw), 64)
		return connectors.AppendJavaDouble(dst, f), nil
	}
	return dst, d.fail("unexpected character")
}

// canonicalInt reports whether an integral literal is already what Java's
// Long.toString prints for its value: no leading zero (but "0" itself), not
// "-0", and at most 18 digits, so the value is inside a long.
func canonicalInt(raw []byte) bool {
	digits := raw
	if digits[0] == '-' {
		digits = digits[1:]
	}
	return len(digits) <= 18 && (digits[0] != '0' || len(raw) == 1)
}

// javaEntry is one printed entry of an object: key=value at [start, end),
// its key at [start, eq) and its key's first eight bytes, big-endian and
// zero-padded, at prefix (they order most keys without reading them again).
type javaEntry struct {
	start, eq, end int
	prefix         uint64
}

// keyPrefix is the first eight bytes of k, big-endian, zero-padded.
func keyPrefix(k []byte) uint64 {
	if len(k) >= 8 {
		return binary.BigEndian.Uint64(k)
	}
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(k) {
			p |= uint64(k[i])
		}
	}
	return p
}

// compareKeys orders two entries of b by key, as bytes.Compare does.
func compareKeys(b []byte, x, y javaEntry) int {
	if x.prefix != y.prefix {
		if x.prefix < y.prefix {
			return -1
		}
		return 1
	}
	return bytes.Compare(b[x.start:x.eq], b[y.start:y.eq])
}

// javaObject appends an object as AppendJava prints a map: each entry is
// printed as key=value where it is read, then the entries are put in key
// order.
func (d *decoder) javaObject(dst []byte) ([]byte, error) {
	d.pos++
	if err := d.enter(); err != nil {
		return dst, err
	}
	start := len(dst)
	var small [16]javaEntry // most objects are small: no allocation for their entries
	es := small[:0]
	for first := true; ; first = false {
		ok, err := d.more('}', first)
		if err != nil {
			return dst, err
		}
		if !ok {
			break
		}
		k, err := d.key()
		if err != nil {
			return dst, err
		}
		e := javaEntry{start: len(dst), prefix: keyPrefix(k)}
		dst = append(dst, k...)
		e.eq = len(dst)
		if dst, err = d.java(append(dst, '=')); err != nil {
			return dst, err
		}
		e.end = len(dst)
		es = append(es, e)
	}
	return sortedEntries(dst, start, es), nil
}

// sortedEntries rewrites the entries es printed from dst[start:] as
// {k=v, k2=v2}: sorted by key (stable), a repeated key once with its last
// value. The sorted text is appended after the entries, then moved down.
func sortedEntries(dst []byte, start int, es []javaEntry) []byte {
	for i := 1; i < len(es); i++ { // insertion sort: stable, and objects are small
		for j := i; j > 0 && compareKeys(dst, es[j-1], es[j]) > 0; j-- {
			es[j-1], es[j] = es[j], es[j-1]
		}
	}
	end := len(dst)
	dst = append(dst, '{')
	for i, e := range es {
		if i+1 < len(es) && compareKeys(dst, e, es[i+1]) == 0 {
			continue // the later value of a repeated key wins
		}
		if len(dst) > end+1 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, dst[e.start:e.end]...)
	}
	dst = append(dst, '}')
	return dst[:start+copy(dst[start:], dst[end:])]
}
