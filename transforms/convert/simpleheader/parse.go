package simpleheader

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// errParse makes an embedded value unparseable; the whole text is then a STRING.
var errParse = errors.New("failed to parse embedded value")

var (
	dateSchema      = connectors.DateSchema().MustBuild()
	timeSchema      = connectors.TimeSchema().MustBuild()
	timestampSchema = connectors.TimestampSchema().MustBuild()
)

// ParseString infers a schema and value from header text, as Kafka's
// Values.parseString: "" → STRING ""; true/false → BOOLEAN; integral numbers →
// the smallest of INT8..INT64 (beyond int64: Decimal); other numbers → FLOAT32
// when finite as a float, else FLOAT64, else Decimal; ISO dates and times →
// Date/Time/Timestamp; [..] → ARRAY and {..} → MAP when the elements share a
// schema (integers widen to the widest, floats to FLOAT64); anything else → STRING.
func ParseString(s string) (*connectors.Schema, any) {
	if s == "" {
		return connectors.StringSchema, ""
	}
	t := strings.TrimSpace(s)
	switch {
	case t == "true":
		return connectors.BooleanSchema, true
	case t == "false":
		return connectors.BooleanSchema, false
	case t == "":
		return connectors.StringSchema, s
	case t[0] == '[' || t[0] == '{':
		p := parser{s: t}
		sch, v, err := p.value()
		p.ws()
		if err == nil && p.pos == len(p.s) && sch != nil {
			return sch, v
		}
		return connectors.StringSchema, s
	}
	if sch, v, ok := scalar(t); ok {
		return sch, v
	}
	return connectors.StringSchema, s
}

// scalar parses a temporal value or a number.
func scalar(t string) (*connectors.Schema, any, bool) {
	c := t[0]
	if c >= '0' && c <= '9' {
		for _, f := range []struct {
			layout string
			schema *connectors.Schema
		}{{timestampLayout, timestampSchema}, {dateLayout, dateSchema}, {timeLayout, timeSchema}} {
			if len(t) == len(f.layout) {
				if tm, err := time.Parse(f.layout, t); err == nil {
					if f.schema == timeSchema {
						tm = time.UnixMilli(int64(tm.Hour()*3600000 + tm.Minute()*60000 + tm.Second()*1000 + tm.Nanosecond()/1e6)).UTC()
					}
					return f.schema, tm.UTC(), true
				}
			}
		}
	}
	if (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' {
		return number(t)
	}
	return nil, nil, false
}

// number applies Values.parseAsNumber to a BigDecimal literal.
func number(t string) (*connectors.Schema, any, bool) {
	if n, ok := smallInteger(t); ok {
		return integer(n)
	}
	d, ok := parseBigDecimal(t)
	if !ok {
		return nil, nil, false
	}
	if n, ok := integral(d); ok {
		return integer(n)
	}
	r := new(big.Rat).SetFrac(d.Unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(d.Scale))), nil))
	if d.Scale < 0 {
		r = new(big.Rat).SetInt(new(big.Int).Mul(d.Unscaled, r.Denom()))
	}
	if d.Scale != 0 {
		if f, _ := r.Float32(); !math.IsInf(float64(f), 0) {
			return connectors.Float32Schema, f, true
		}
		if f, _ := r.Float64(); !math.IsInf(f, 0) {
			return connectors.Float64Schema, f, true
		}
	}
	return connectors.DecimalSchema(d.Scale).MustBuild(), d, true
}

// smallInteger reads [+-]digits of at most 18 digits (always within int64)
// without big numbers: the common header value, parsed as number would.
func smallInteger(t string) (int64, bool) {
	digits := strings.TrimLeft(t, "+-")
	if len(t)-len(digits) > 1 || digits == "" || len(digits) > 18 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	return n, err == nil
}

// smallIntegerBytes is smallInteger of string(b), which ParseString gives
// the same result (such a literal is no temporal value): no string is made.
func smallIntegerBytes(b []byte) (int64, bool) {
	i := 0
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		i = 1
	}
	if len(b) == i || len(b)-i > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b[i:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if b[0] == '-' {
		n = -n
	}
	return n, true
}

// integer is Values.parseAsNumber's narrowest integer type for n.
func integer(n int64) (*connectors.Schema, any, bool) {
	switch {
	case n >= math.MinInt8 && n <= math.MaxInt8:
		return connectors.Int8Schema, int8(n), true
	case n >= math.MinInt16 && n <= math.MaxInt16:
		return connectors.Int16Schema, int16(n), true
	case n >= math.MinInt32 && n <= math.MaxInt32:
		return connectors.Int32Schema, int32(n), true
	}
	return connectors.Int64Schema, n, true
}

func abs(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// integral returns the value when it has no fractional part and fits int64.
func integral(d connectors.Decimal) (int64, bool) {
	u := new(big.Int).Set(d.Unscaled)
	ten := big.NewInt(10)
	if d.Scale > 0 {
		q, m := new(big.Int).QuoRem(u, new(big.Int).Exp(ten, big.NewInt(int64(d.Scale)), nil), new(big.Int))
		if m.Sign() != 0 {
			return 0, false
		}
		u = q
	} else if d.Scale < 0 {
		if -d.Scale > 20 {
			return 0, false
		}
		u.Mul(u, new(big.Int).Exp(ten, big.NewInt(int64(-d.Scale)), nil))
	}
	if !u.IsInt64() {
		return 0, false
	}
	return u.Int64(), true
}

// parseBigDecimal reads new BigDecimal(text): [+-]digits[.digits][e[+-]digits],
// at least one digit, fraction or integer part optional.
func parseBigDecimal(t string) (connectors.Decimal, bool) {
	i, neg := 0, false
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		neg = t[i] == '-'
		i++
	}
	var digits []byte
	scale := int64(0)
	for ; i < len(t) && t[i] >= '0' && t[i] <= '9'; i++ {
		digits = append(digits, t[i])
	}
	if i < len(t) && t[i] == '.' {
		for i++; i < len(t) && t[i] >= '0' && t[i] <= '9'; i++ {
			digits = append(digits, t[i])
			scale++
		}
	}
	if len(digits) == 0 {
		return connectors.Decimal{}, false
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		e, ok := parseExp(t[i+1:])
		if !ok {
			return connectors.Decimal{}, false
		}
		scale -= e
		i = len(t)
	}
	if i != len(t) || scale > math.MaxInt32 || scale < math.MinInt32 {
		return connectors.Decimal{}, false
	}
	u, _ := new(big.Int).SetString(string(digits), 10)
	if neg {
		u.Neg(u)
	}
	return connectors.Decimal{Unscaled: u, Scale: int32(scale)}, true
}

func parseExp(s string) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := int64(0)
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
