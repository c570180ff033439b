package json

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// stringSpan reads a string at pos (on its quote) and returns its raw content.
func (d *decoder) stringSpan() (raw []byte, escaped bool, err error) {
	d.pos++
	start := d.pos
	for {
		for d.pos+8 <= len(d.data) {
			n := firstSpecial(binary.LittleEndian.Uint64(d.data[d.pos:]))
			d.pos += n
			if n < 8 {
				break
			}
		}
		if d.pos >= len(d.data) {
			return nil, false, d.fail("unexpected end-of-input in string")
		}
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return d.data[start : d.pos-1], escaped, nil
		case c == '\\':
			escaped = true
			d.pos += 2
		case c < 0x20:
			return nil, false, d.fail("illegal unquoted character in string")
		default:
			d.pos++
		}
	}
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// firstSpecial is the index of the first of the eight bytes of w (little
// endian) that ends or escapes a string or may not appear in one ('"',
// '\\', below 0x20), 8 when none does: stringSpan skips eight plain bytes at
// a time and jumps to the byte that stops it. Each test flags a byte exactly
// when it is the first matching one (a borrow can only flag bytes above it),
// so the lowest flag is exact.
func firstSpecial(w uint64) int {
	q, bs := w^(lsb*'"'), w^(lsb*'\\')
	return bits.TrailingZeros64(((q-lsb)&^q|(bs-lsb)&^bs|(w-lsb*0x20)&^w)&msb) >> 3
}

// str reads a string value.
func (d *decoder) str() (string, error) {
	raw, esc, err := d.stringSpan()
	if err != nil {
		return "", err
	}
	if !esc {
		if d.share {
			return d.boxes.string(raw), nil
		}
		return string(raw), nil
	}
	s, err := unescape(raw)
	if err != nil {
		return "", d.fail(err.Error())
	}
	return s, nil
}

var errEscape = errors.New("unrecognized character escape")

func unescape(raw []byte) (string, error) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(raw) {
			return "", errEscape
		}
		switch raw[i] {
		case '"', '\\', '/':
			out = append(out, raw[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, err := unicodeEscape(raw[i+1:])
			if err != nil {
				return "", err
			}
			out = utf8.AppendRune(out, r)
			i += n
		default:
			return "", errEscape
		}
	}
	return string(out), nil
}

// unicodeEscape decodes XXXX (after \u), joining a surrogate pair; n is the bytes used.
func unicodeEscape(b []byte) (r rune, n int, err error) {
	r1, ok := hex4(b)
	if !ok {
		return 0, 0, errors.New("invalid \\u escape")
	}
	if utf16.IsSurrogate(r1) && len(b) >= 10 && b[4] == '\\' && b[5] == 'u' {
		if r2, ok := hex4(b[6:]); ok {
			if r := utf16.DecodeRune(r1, r2); r != utf8.RuneError {
				return r, 10, nil
			}
		}
	}
	return r1, 4, nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
