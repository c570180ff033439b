package json

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// maxDepth is Jackson's default maximum nesting depth (StreamReadConstraints).
const maxDepth = 1000

// syntaxError is malformed JSON; ToConnect reports it as Kafka Connect's
// serialization error.
type syntaxError struct {
	pos int
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s at byte %d", e.msg, e.pos) }

// decoder reads JSON from data by hand: no reflection, no intermediate tree.
type decoder struct {
	data        []byte
	pos         int
	depth       int
	replaceNull bool
	// keys interns object keys of schemaless values (nil: none).
	keys *keyTable
	// share packs string values' bytes and the interface values' data of
	// strings and numbers into blocks shared by the record (boxes).
	share bool
	boxes boxes
}

func (d *decoder) fail(msg string) error { return &syntaxError{pos: d.pos, msg: msg} }

func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// consume skips the next non-space byte if it is c.
func (d *decoder) consume(c byte) bool {
	if d.peek() == c {
		d.pos++
		return true
	}
	return false
}

func (d *decoder) expect(c byte) error {
	if !d.consume(c) {
		return d.fail(fmt.Sprintf("expected '%c'", c))
	}
	return nil
}

func (d *decoder) literal(word string) error {
	if !d.word(word) {
		return d.fail("unrecognized token")
	}
	return nil
}

// word moves past w when the bytes at d.pos are w; literal without the error,
// for callers that try more than one word.
func (d *decoder) word(w string) bool {
	if len(d.data)-d.pos < len(w) || string(d.data[d.pos:d.pos+len(w)]) != w {
		return false
	}
	d.pos += len(w)
	return true
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > maxDepth {
		return d.fail(fmt.Sprintf("document nesting depth exceeds the maximum allowed (%d)", maxDepth))
	}
	return nil
}

// more reports whether a container has another element, consuming the comma
// or the closing byte; first is true before the first element.
func (d *decoder) more(closing byte, first bool) (bool, error) {
	if d.consume(closing) {
		d.depth--
		return false, nil
	}
	if first {
		return true, nil
	}
	if !d.consume(',') {
		return false, d.fail(fmt.Sprintf("expected ',' or '%c'", closing))
	}
	if d.peek() == closing {
		return false, d.fail("trailing comma")
	}
	return true, nil
}

// key reads an object key and its colon, returning the raw bytes when the key
// has no escapes (no allocation) or the decoded key otherwise.
func (d *decoder) key() ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.fail("expected a field name")
	}
	raw, esc, err := d.stringSpan()
	if err != nil {
		return nil, err
	}
	if esc {
		s, err := unescape(raw)
		if err != nil {
			return nil, d.fail(err.Error())
		}
		raw = []byte(s)
	}
	return raw, d.expect(':')
}

// number reads a JSON number (leading zeros accepted) and reports whether it is integral.
func (d *decoder) number() (raw []byte, integral bool, err error) {
	start := d.pos
	if d.pos < len(d.data) && d.data[d.pos] == '-' {
		d.pos++
	}
	if d.digits() == 0 {
		return nil, false, d.fail("invalid numeric value")
	}
	integral = true
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		integral = false
		if d.digits() == 0 {
			return nil, false, d.fail("decimal point must be followed by a digit")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		integral = false
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if d.digits() == 0 {
			return nil, false, d.fail("exponent indicator not followed by a digit")
		}
	}
	return d.data[start:d.pos], integral, nil
}

func (d *decoder) digits() int {
	n := 0
	for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
		d.pos++
		n++
	}
	return n
}

// skip passes over one value of any kind.
func (d *decoder) skip() error {
	switch c := d.peek(); {
	case c == '{':
		d.pos++
		if err := d.enter(); err != nil {
			return err
		}
		for first := true; ; first = false {
			ok, err := d.more('}', first)
			if err != nil || !ok {
				return err
			}
			if _, err := d.key(); err != nil {
				return err
			}
			if err := d.skip(); err != nil {
				return err
			}
		}
	case c == '[':
		d.pos++
		if err := d.enter(); err != nil {
			return err
		}
		for first := true; ; first = false {
			ok, err := d.more(']', first)
			if err != nil || !ok {
				return err
			}
			if err := d.skip(); err != nil {
				return err
			}
		}
	case c == '"':
		_, _, err := d.stringSpan()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, _, err := d.number()
		return err
	}
	return d.fail("unexpected character")
}

// span returns the raw bytes of the next value.
func (d *decoder) span() ([]byte, error) {
	d.ws()
	start := d.pos
	if err := d.skip(); err != nil {
		return nil, err
	}
	return d.data[start:d.pos], nil
}

// nodeType names the JSON type of the next value as Jackson's JsonNodeType does.
func (d *decoder) nodeType() string {
	switch c := d.peek(); {
	case c == '{':
		return "OBJECT"
	case c == '[':
		return "ARRAY"
	case c == '"':
		return "STRING"
	case c == 't' || c == 'f':
		return "BOOLEAN"
	case c == 'n':
		return "NULL"
	case c == 0:
		return "MISSING"
	}
	return "NUMBER"
}

// parseInt64 reads an integral literal, keeping the low 64 bits of larger
// values as Java's BigInteger.longValue does.
func parseInt64(raw []byte) int64 {
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return n
	}
	b, _ := new(big.Int).SetString(string(raw), 10)
	return lowBits(b)
}

func lowBits(b *big.Int) int64 {
	m := new(big.Int).And(b, new(big.Int).SetUint64(math.MaxUint64))
	return int64(m.Uint64())
}

// numberInt64 reads any number as Java's JsonNode.longValue: integral values
// as is, others truncated toward zero.
func numberInt64(raw []byte, integral bool) int64 {
	if integral {
		return parseInt64(raw)
	}
	f, _ := strconv.ParseFloat(string(raw), 64)
	f = math.Trunc(f)
	if math.Abs(f) < 1<<63 {
		return int64(f)
	}
	if math.IsInf(f, 0) {
		return 0
	}
	bf, _ := new(big.Float).SetFloat64(f).Int(nil)
	return lowBits(bf)
}
