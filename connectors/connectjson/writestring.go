package connectjson

import (
	"unicode/utf16"
	"unicode/utf8"
)

// JSON strings as Jackson writes them (encoder.str), with the word-at-a-time
// check of the bytes that need no escaping.

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
