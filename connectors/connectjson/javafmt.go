package connectjson

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// AppendJavaDouble appends f as Java's Double.toString prints it (JDK 19+,
// shortest representation): "1.0", "12.34", "1.0E20", "1.0E-5", "NaN", "Infinity".
func AppendJavaDouble(b []byte, f float64) []byte { return appendJavaFloat(b, f, 64) }

// AppendJavaFloat appends f as Java's Float.toString prints it.
func AppendJavaFloat(b []byte, f float32) []byte { return appendJavaFloat(b, float64(f), 32) }

func appendJavaFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	if f < 0 {
		b = append(b, '-')
		f = -f
	}
	if f >= 1e-3 && f < 1e7 {
		return appendPlainShortest(b, f, bits)
	}
	return appendShortest(b, f, bits)
}

// appendPlainShortest is appendShortest for 1e-3 <= f < 1e7, where Java
// prints the shortest digits plainly ("0.001", "1234567.0"): strconv's
// shortest fixed-point form with ".0" for a whole number. (The first digit's
// exponent is then in [-3, 7), and a one-digit shortest form is exact to
// well within two digits, so Java's pick among two-digit decimals never
// applies.)
func appendPlainShortest(b []byte, f float64, bits int) []byte {
	n := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, bits)
	if bytes.IndexByte(b[n:], '.') < 0 {
		b = append(b, '.', '0')
	}
	return b
}

// appendShortest appends f > 0 as Double.toString (Float.toString for bits
// 32) prints it: plain for a first digit's exponent in [-3, 7), otherwise
// computerized scientific notation.
func appendShortest(b []byte, f float64, bits int) []byte {
	var scratch [32]byte
	digits, exp := shortestDigits(scratch[:0], f, bits)
	if exp >= -3 && exp < 7 {
		return appendPlain(b, digits, exp)
	}
	b = append(b, digits[0], '.')
	if len(digits) > 1 {
		b = append(b, digits[1:]...)
	} else {
		b = append(b, '0')
	}
	b = append(b, 'E')
	return strconv.AppendInt(b, int64(exp), 10)
}

// shortestDigits returns the significant digits and the decimal exponent of
// the first digit. Java picks among decimals of length 2 when the shortest has
// one digit (Double.MIN_VALUE prints 4.9E-324, not 5.0E-324).
func shortestDigits(dst []byte, f float64, bits int) ([]byte, int) {
	s := strconv.AppendFloat(dst, f, 'e', -1, bits)
	digits, exp := splitE(s)
	if len(digits) == 1 {
		var alt [32]byte
		a := strconv.AppendFloat(alt[:0], f, 'e', 1, bits)
		if g, err := strconv.ParseFloat(string(a), bits); err == nil && g == f {
			d2, e2 := splitE(a)
			if d2[1] != '0' {
				return append(dst[:0], d2...), e2
			}
		}
	}
	return digits, exp
}

// splitE turns "d.ddde±xx" into its digits (in place) and exponent.
func splitE(s []byte) ([]byte, int) {
	i := len(s) - 1
	for s[i] != 'e' {
		i--
	}
	exp, _ := strconv.Atoi(string(s[i+1:]))
	digits := s[:0]
	for _, c := range s[:i] {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	return digits, exp
}

func appendPlain(b, digits []byte, exp int) []byte {
	if exp < 0 {
		b = append(b, '0', '.')
		for i := 0; i < -exp-1; i++ {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	intLen := exp + 1
	if len(digits) <= intLen {
		b = append(b, digits...)
		for i := len(digits); i < intLen; i++ {
			b = append(b, '0')
		}
		return append(b, '.', '0')
	}
	b = append(b, digits[:intLen]...)
	b = append(b, '.')
	return append(b, digits[intLen:]...)
}

// AppendBigDecimal appends d as java.math.BigDecimal.toString prints it: plain
// when the scale is not negative and the adjusted exponent is at least -6,
// otherwise scientific ("1E+3", "1.5E-7").
func AppendBigDecimal(b []byte, d connectors.Decimal) []byte {
	u := d.Unscaled
	if u == nil {
		u = new(big.Int)
	}
	if d.Scale >= 0 {
		coeffLen := len(u.Text(10))
		if u.Sign() < 0 {
			coeffLen--
		}
		if adjusted := -int64(d.Scale) + int64(coeffLen-1); adjusted >= -6 {
			return append(b, d.String()...)
		}
	}
	s := u.Text(10)
	if s[0] == '-' {
		b = append(b, '-')
		s = s[1:]
	}
	adjusted := -int64(d.Scale) + int64(len(s)-1)
	b = append(b, s[0])
	if len(s) > 1 {
		b = append(b, '.')
		b = append(b, s[1:]...)
	}
	b = append(b, 'E')
	if adjusted >= 0 {
		b = append(b, '+')
	}
	return strconv.AppendInt(b, adjusted, 10)
}

// javaClass names the Java class Kafka Connect would report for a Go value, so
// that error messages read as Kafka Connect's do ("class java.lang.String").
func javaClass(v any) string {
	switch v.(type) {
	case int8:
		return "class java.lang.Byte"
	case int16:
		return "class java.lang.Short"
	case int32:
		return "class java.lang.Integer"
	case int64, int:
		return "class java.lang.Long"
	case float32:
		return "class java.lang.Float"
	case float64:
		return "class java.lang.Double"
	case bool:
		return "class java.lang.Boolean"
	case string:
		return "class java.lang.String"
	case []byte:
		return "class [B"
	case []any:
		return "class java.util.ArrayList"
	case map[string]any, connectors.MapEntries:
		return "class java.util.HashMap"
	case *connectors.Struct:
		return "class org.apache.kafka.connect.data.Struct"
	case connectors.Decimal:
		return "class java.math.BigDecimal"
	case time.Time:
		return "class java.util.Date"
	}
	return fmt.Sprintf("class %T", v)
}

// AppendString writes s as a JSON string escaped exactly as Jackson escapes
// it (control characters as \u00XX, characters outside the BMP as surrogate
// pairs, everything else as UTF-8).
func AppendString(b []byte, s string) []byte {
	e := encoder{buf: b}
	e.str(s)
	return e.buf
}
