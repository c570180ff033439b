package postgrescdc

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// parseString and the parsers below read a value in PostgreSQL's text form
// (pgoutput's tuples, the catalog's defaults) as its Kafka Connect value.
func parseString(s string) (any, error) { return s, nil }

func parseBool(s string) (any, error) { return s == "t" || s == "true", nil }

func intParser(bits int) func(string) (any, error) {
	return func(s string) (any, error) {
		n, err := strconv.ParseInt(s, 10, bits)
		switch bits {
		case 16:
			return int16(n), err
		case 32:
			return int32(n), err
		}
		return n, err
	}
}

func parseBytea(s string) (any, error) {
	if h, ok := strings.CutPrefix(s, `\x`); ok {
		return hex.DecodeString(h)
	}
	return []byte(s), nil
}

func parseVarDecimal(s string, schema *connectors.Schema) (any, error) {
	d, err := connectors.ParseDecimal(s)
	if err != nil {
		return nil, err
	}
	// Debezium writes the value without trailing zeros (1.50 as 15 scale 1, 100 as 100 scale 0).
	ten, r := big.NewInt(10), new(big.Int)
	for d.Scale > 0 {
		q, m := new(big.Int).QuoRem(d.Unscaled, ten, r)
		if m.Sign() != 0 {
			break
		}
		d.Unscaled, d.Scale = q, d.Scale-1
	}
	st := connectors.NewStruct(schema)
	st.Set(0, d.Scale)
	st.Set(1, connectors.DecimalToBytes(d))
	return st, nil
}

func parseDate(s string) (any, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil, err
	}
	return int32(t.Unix() / 86400), nil
}

func parseConnectDate(s string) (any, error) { return time.Parse("2006-01-02", s) }

func clock(s string) (time.Time, error) { return time.Parse("15:04:05.999999", s) }

func parseTimeMillis(s string) (any, error) {
	t, err := clock(s)
	return int32(t.Sub(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)).Milliseconds()), err
}

func parseTimeMicros(s string) (any, error) {
	t, err := clock(s)
	return t.Sub(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)).Microseconds(), err
}

func parseConnectTime(s string) (any, error) {
	t, err := clock(s)
	return time.Date(1970, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1e6*1e6, time.UTC), err
}

const tsLayout = "2006-01-02 15:04:05.999999"

func parseTimestampMillis(s string) (any, error) {
	t, err := time.Parse(tsLayout, s)
	return t.UnixMilli(), err
}

func parseTimestampMicros(s string) (any, error) {
	t, err := time.Parse(tsLayout, s)
	return t.UnixMicro(), err
}

func parseConnectTimestamp(s string) (any, error) { return time.Parse(tsLayout, s) }

// zonedTimestampParser reads timestamptz text and writes it as Debezium
// does: ISO-8601 in UTC with as many fraction digits as the column's
// precision (6 when undeclared).
func zonedTimestampParser(prec int) func(string) (any, error) {
	layout := "2006-01-02T15:04:05"
	if prec > 0 {
		layout += "." + strings.Repeat("0", prec)
	}
	layout += "Z"
	return func(s string) (any, error) {
		if out, ok := plainUTCTimestamp(s, prec); ok {
			return out, nil
		}
		t, err := time.Parse("2006-01-02 15:04:05.999999Z07", s)
		if err != nil {
			t, err = time.Parse("2006-01-02 15:04:05.999999Z07:00", s)
		}
		if err != nil {
			return nil, fmt.Errorf("timestamptz %q: %w", s, err)
		}
		return t.UTC().Format(layout), nil
	}
}

// plainUTCTimestamp rewrites PostgreSQL's timestamptz text in UTC
// ("2006-01-02 15:04:05[.ffffff]+00", at most prec fraction digits) as
// Debezium's ZonedTimestamp without parsing it; ok is false for any other
// form (another zone, BC, a year past 9999), left to time.Parse.
func plainUTCTimestamp(s string, prec int) (string, bool) {
	if len(s) < 22 || s[len(s)-3:] != "+00" || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return "", false
	}
	frac := s[19 : len(s)-3]
	if frac != "" && (frac[0] != '.' || len(frac) < 2 || len(frac)-1 > prec) {
		return "", false
	}
	for _, r := range [...][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}, {20, len(s) - 3}} {
		for i := r[0]; i < r[1]; i++ {
			if s[i] < '0' || s[i] > '9' {
				return "", false
			}
		}
	}
	var b [40]byte
	out := append(append(append(b[:0], s[:10]...), 'T'), s[11:19]...)
	if prec > 0 {
		out = append(out, '.')
		if frac != "" {
			out = append(out, frac[1:]...)
		}
		for n := max(len(frac)-1, 0); n < prec; n++ {
			out = append(out, '0')
		}
	}
	return string(append(out, 'Z')), true
}

func parseZonedTime(s string) (any, error) {
	t, err := time.Parse("15:04:05.999999Z07", s)
	if err != nil {
		return nil, fmt.Errorf("timetz %q: %w", s, err)
	}
	return t.UTC().Format("15:04:05.999999999Z"), nil
}

var numericLiteral = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$|^(true|false)$`)
})

// defaultLiteral returns the text of a constant column default, as Debezium
// puts it in the schema: a quoted literal with an optional cast, a number or
// a boolean. Function calls (nextval, now, …) are not constants.
func defaultLiteral(expr string) (string, bool) {
	e := strings.TrimSpace(expr)
	for len(e) > 1 && e[0] == '(' && e[len(e)-1] == ')' {
		e = strings.TrimSpace(e[1 : len(e)-1])
	}
	if strings.HasPrefix(e, "'") {
		var b strings.Builder
		for i := 1; i < len(e); i++ {
			if e[i] != '\'' {
				b.WriteByte(e[i])
				continue
			}
			if i+1 < len(e) && e[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			rest := e[i+1:]
			if rest == "" || strings.HasPrefix(rest, "::") && !strings.Contains(rest, "(") {
				return b.String(), true
			}
			return "", false
		}
		return "", false
	}
	if i := strings.Index(e, "::"); i >= 0 {
		e = strings.Trim(e[:i], "() ")
	}
	return e, numericLiteral().MatchString(e)
}

// parseBits reads bit string text ("1011") as Debezium's Bits: the number's
// bytes, least significant first, as few as hold it (none for zero).
func parseBits(s string) (any, error) {
	n, ok := new(big.Int).SetString(s, 2)
	if !ok {
		if s != "" {
			return nil, fmt.Errorf("bit string %q", s)
		}
		n = new(big.Int)
	}
	b := n.Bytes()
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b, nil
}
