package mysqlcdc

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// intConv reads an integer of the given storage bits (the binlog gives
// unsigned columns as signed values) into a Connect integer of out bits.
func (c *column) intConv(bits, out int) func(any) (any, error) {
	unsigned := c.unsigned
	return func(v any) (any, error) {
		n, err := toInt64(v)
		if err != nil {
			return nil, err
		}
		if unsigned && n < 0 && bits < 64 {
			n += 1 << bits
		}
		switch out {
		case 16:
			return int16(n), nil
		case 32:
			return int32(n), nil
		}
		return n, nil
	}
}

func floatConv(bits int) func(any) (any, error) {
	return func(v any) (any, error) {
		var f float64
		switch x := v.(type) {
		case float32:
			f = float64(x)
		case float64:
			f = x
		default:
			s, err := asString(v)
			if err != nil {
				return nil, err
			}
			if f, err = strconv.ParseFloat(s, bits); err != nil {
				return nil, err
			}
		}
		if bits == 32 {
			return float32(f), nil
		}
		return f, nil
	}
}

// enumConv maps an ENUM value: the binlog gives the 1-based index.
func (c *column) enumConv(v any) (any, error) {
	if s, err := asString(v); err == nil {
		return s, nil
	}
	n, err := toInt64(v)
	if err != nil {
		return nil, err
	}
	if n < 1 || int(n) > len(c.values) {
		return "", nil
	}
	return c.values[n-1], nil
}

// setConv maps a SET value: the binlog gives the member bitmask.
func (c *column) setConv(v any) (any, error) {
	if s, err := asString(v); err == nil {
		return s, nil
	}
	n, err := toInt64(v)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, m := range c.values {
		if n&(1<<i) != 0 {
			out = append(out, m)
		}
	}
	return strings.Join(out, ","), nil
}

func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case uint64:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	}
	s, err := asString(v)
	if err != nil {
		return 0, fmt.Errorf("%T is not an integer", v)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	u, err := strconv.ParseUint(s, 10, 64)
	return int64(u), err
}

func toUint64(v any) (uint64, error) {
	n, err := toInt64(v)
	return uint64(n), err
}

// bitValue reads a BIT value: an integer from the binlog, big-endian bytes
// from a query.
func bitValue(v any) (uint64, error) {
	switch x := v.(type) {
	case []byte:
		var n uint64
		for _, b := range x {
			n = n<<8 | uint64(b)
		}
		return n, nil
	case string:
		return bitValue([]byte(x))
	}
	return toUint64(v)
}

// bitsConv is io.debezium.data.Bits: little-endian bytes of the value,
// (length+7)/8 of them.
func bitsConv(v any, length int) (any, error) {
	n, err := bitValue(v)
	if err != nil {
		return nil, err
	}
	out := make([]byte, (length+7)/8)
	for i := range out {
		out[i] = byte(n >> (8 * i))
	}
	return out, nil
}

func asString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	}
	return "", fmt.Errorf("%T is not text", v)
}

func toString(v any) (any, error) {
	if s, err := asString(v); err == nil {
		return s, nil
	}
	return fmt.Sprint(v), nil
}

func toBytes(v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return append([]byte(nil), x...), nil
	case string:
		return []byte(x), nil
	}
	return nil, fmt.Errorf("%T is not binary", v)
}

func stringConv(parse func(string) (any, error)) func(any) (any, error) {
	return func(v any) (any, error) {
		s, err := asString(v)
		if err != nil {
			return nil, err
		}
		return parse(s)
	}
}

func dateDays(s string) (any, error) {
	t, err := time.Parse("2006-01-02", s[:min(len(s), 10)])
	if err != nil {
		return nil, err
	}
	return int32(math.Floor(float64(t.Unix()) / 86400)), nil
}

func parseDateTime(s string) (time.Time, error) {
	if t, ok := plainDateTime(s); ok {
		return t, nil
	}
	if len(s) == 10 {
		return time.Parse("2006-01-02", s)
	}
	return time.Parse("2006-01-02 15:04:05.999999", s)
}

// zonedText is a TIMESTAMP(fsp)'s text "2006-01-02 15:04:05[.ffffff]" (UTC,
// the session's zone) as Debezium's ZonedTimestamp string, the form
// t.UTC().Format("2006-01-02T15:04:05[.000000]") + "Z" writes; ok is false
// for any other form, a zero date or a day after the 28th (left to parseDateTime).
func zonedText(b []byte, fsp int) (string, bool) {
	n := 19
	if fsp > 0 {
		n += 1 + fsp
	}
	if len(b) != n || b[4] != '-' || b[7] != '-' || b[10] != ' ' || b[13] != ':' || b[16] != ':' || fsp > 0 && b[19] != '.' {
		return "", false
	}
	num := func(i int) int {
		if b[i] < '0' || b[i] > '9' || b[i+1] < '0' || b[i+1] > '9' {
			return -1
		}
		return int(b[i]-'0')*10 + int(b[i+1]-'0')
	}
	year, month, day, hour, minute, sec := num(0)*100+num(2), num(5), num(8), num(11), num(14), num(17)
	if num(0) < 0 || num(2) < 0 || year == 0 || month < 1 || month > 12 || day < 1 || day > 28 ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return "", false
	}
	for _, c := range b[min(20, n):] {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	out := make([]byte, n+1)
	copy(out, b)
	out[10], out[n] = 'T', 'Z'
	return string(out), true
}

// plainDateTime reads the binlog's "2006-01-02[ 15:04:05[.ffffff]]" text
// without time.Parse; ok is false for any other form or a field out of
// range, left to time.Parse (and its error).
func plainDateTime(s string) (time.Time, bool) {
	if len(s) != 10 && len(s) != 19 && (len(s) < 21 || len(s) > 26 || s[19] != '.') {
		return time.Time{}, false
	}
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			if s[i] < '0' || s[i] > '9' {
				return -1
			}
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	var f [7]int // year, month, day, hour, minute, second, nanosecond
	f[0], f[1], f[2] = num(0, 4), num(5, 7), num(8, 10)
	ok := s[4] == '-' && s[7] == '-'
	if len(s) > 10 {
		f[3], f[4], f[5] = num(11, 13), num(14, 16), num(17, 19)
		ok = ok && s[10] == ' ' && s[13] == ':' && s[16] == ':'
	}
	if len(s) > 20 {
		f[6] = num(20, len(s))
		for i := len(s); i < 29; i++ {
			f[6] *= 10
		}
	}
	for _, n := range f {
		ok = ok && n >= 0
	}
	if !ok {
		return time.Time{}, false
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], f[6], time.UTC)
	// time.Date normalizes what time.Parse rejects (month 13, 31 April, hour 24).
	y, m, d := t.Date()
	return t, y == f[0] && int(m) == f[1] && d == f[2] && t.Hour() == f[3] && t.Minute() == f[4] && t.Second() == f[5]
}

// timeMicros reads TIME text ("-838:59:59.000000") into microseconds.
func timeMicros(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	hms, frac, _ := strings.Cut(s, ".")
	parts := strings.Split(hms, ":")
	if len(parts) != 3 {
		return 0, fmt.Errorf("time %q: want hh:mm:ss", s)
	}
	var v [3]int64
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("time %q: %w", s, err)
		}
		v[i] = n
	}
	us := ((v[0]*60+v[1])*60 + v[2]) * 1e6
	if frac != "" {
		f, err := strconv.ParseInt((frac + "000000")[:6], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("time %q: %w", s, err)
		}
		us += f
	}
	if neg {
		us = -us
	}
	return us, nil
}
