package jdbc

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// convert turns a driver value (int64, float64, bool, []byte, string,
// time.Time or nil) into the Connect value of the column's kind. loc is
// db.timezone: the zone of values whose column has none.
func convert(c *column, v any, loc *time.Location) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok && c.kind != kBytes {
		v = string(b)
	}
	switch c.kind {
	case kInt8, kInt16, kInt32, kInt64:
		n, err := toInt(v)
		if err != nil {
			return nil, err
		}
		return narrow(c.kind, n), nil
	case kFloat32, kFloat64:
		f, err := toFloat(v)
		if c.kind == kFloat32 {
			return float32(f), err
		}
		return f, err
	case kBool:
		return toBool(v)
	case kString:
		return fmt.Sprint(v), nil
	case kBytes:
		return toBytes(v), nil
	case kDecimal:
		return toDecimal(fmt.Sprint(v), c.decScale)
	case kDate:
		t, err := toTime(v, loc, c.zoned)
		if err != nil {
			return nil, err
		}
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	case kTime:
		return toClock(v, loc, c.zoned)
	case kTimestamp:
		return toTime(v, loc, c.zoned)
	}
	return nil, fmt.Errorf("column %s: no conversion for type %s", c.name, c.typeName)
}

func narrow(k kind, n int64) any {
	switch k {
	case kInt8:
		return int8(n)
	case kInt16:
		return int16(n)
	case kInt32:
		return int32(n)
	}
	return n
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case uint64:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case float64:
		return int64(x), nil
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return n, nil
		}
		if n, err := strconv.ParseUint(x, 10, 64); err == nil {
			return int64(n), nil
		}
		if x == "\x01" || x == "\x00" { // MySQL BIT(1) as raw bytes
			return int64(x[0]), nil
		}
		d, err := connectors.ParseDecimal(x)
		if err != nil {
			return 0, fmt.Errorf("not an integer: %q", x)
		}
		return new(big.Int).Quo(d.Unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil)).Int64(), nil
	}
	return 0, fmt.Errorf("not an integer: %T", v)
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case string:
		x = strings.TrimLeft(strings.ReplaceAll(strings.ReplaceAll(x, ",", ""), "$", ""), " ")
		return strconv.ParseFloat(x, 64)
	}
	return 0, fmt.Errorf("not a number: %T", v)
}

func toBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case int64:
		return x != 0, nil
	case string:
		switch strings.ToLower(x) {
		case "1", "t", "true", "\x01":
			return true, nil
		case "0", "f", "false", "\x00":
			return false, nil
		}
	}
	return false, fmt.Errorf("not a boolean: %v", v)
}

func toBytes(v any) []byte {
	switch x := v.(type) {
	case []byte:
		return append([]byte(nil), x...)
	case string:
		return []byte(x)
	}
	return []byte(fmt.Sprint(v))
}

// toDecimal parses a decimal string and sets its scale, rounding half-up when
// the value has more digits than the column (Confluent's setScale).
func toDecimal(s string, scale int32) (connectors.Decimal, error) {
	d, err := connectors.ParseDecimal(s)
	if err != nil {
		return connectors.Decimal{}, err
	}
	return rescale(d, scale), nil
}

func rescale(d connectors.Decimal, scale int32) connectors.Decimal {
	u := new(big.Int).Set(d.Unscaled)
	switch {
	case scale > d.Scale:
		u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-d.Scale)), nil))
	case scale < d.Scale:
		div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale-scale)), nil)
		q, r := new(big.Int).QuoRem(u, div, new(big.Int))
		if new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2)).Cmp(div) >= 0 {
			q.Add(q, big.NewInt(int64(u.Sign())))
		}
		u = q
	}
	return connectors.Decimal{Unscaled: u, Scale: scale}
}

// toTime reads a date or timestamp. Values of columns without a zone are
// wall clocks: they are read as times in loc.
func toTime(v any, loc *time.Location, zoned bool) (time.Time, error) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case int64: // MySQL YEAR
		t = time.Date(int(x), 1, 1, 0, 0, 0, 0, time.UTC)
	case string:
		var err error
		for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02", "2006"} {
			if t, err = time.Parse(layout, x); err == nil {
				break
			}
		}
		if err != nil {
			return time.Time{}, fmt.Errorf("not a timestamp: %q", x)
		}
	default:
		return time.Time{}, fmt.Errorf("not a timestamp: %T", v)
	}
	if !zoned {
		t = wallIn(t, loc)
	}
	return t.UTC(), nil
}

// wallIn reads t's wall clock (whatever its zone) as a time in loc.
func wallIn(t time.Time, loc *time.Location) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), loc)
}

// wallOf is the inverse of wallIn: t's wall clock in loc, labelled UTC, for
// comparing with columns without a zone (the session runs in UTC).
func wallOf(t time.Time, loc *time.Location) time.Time {
	return wallIn(t.In(loc), time.UTC)
}

// toClock reads a TIME value as Kafka Connect's Time: the time of day on
// 1970-01-01 UTC, millisecond precision.
func toClock(v any, loc *time.Location, zoned bool) (time.Time, error) {
	var s string
	switch x := v.(type) {
	case time.Time:
		return time.Date(1970, 1, 1, x.Hour(), x.Minute(), x.Second(), x.Nanosecond()/1e6*1e6, time.UTC), nil
	case string:
		s = x
	default:
		return time.Time{}, fmt.Errorf("not a time: %T", v)
	}
	layout := "15:04:05.999999999"
	if zoned {
		layout += "Z07"
		if strings.Count(s[max(len(s)-6, 0):], ":") > 0 && (strings.LastIndexAny(s, "+-") > 5) && strings.Count(s[strings.LastIndexAny(s, "+-"):], ":") == 1 {
			layout = "15:04:05.999999999Z07:00"
		}
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a time: %q", s)
	}
	if !zoned {
		t = wallIn(time.Date(1970, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), loc)
	}
	t = t.UTC()
	return time.Date(1970, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1e6*1e6, time.UTC), nil
}
