package connectors

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AppendJava appends v as Java's String.valueOf prints the Connect value (what
// FileStreamSinkTask writes): null as "null", numbers and booleans as Java
// prints them, structs as Struct{a=1}, lists as [a, b], maps as {k=v, k2=v2}
// (ferry sorts string keys; Java's HashMap order is not reproducible),
// Date/Time/Timestamp as java.util.Date in UTC. BYTES are written raw, where
// Java would print an object id like [B@1b6d3586; a *JavaText as it is.
func AppendJava(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return append(dst, x...)
	case *JavaText:
		return append(dst, *x...)
	case []byte:
		return append(dst, x...)
	case bool:
		return strconv.AppendBool(dst, x)
	case int8:
		return strconv.AppendInt(dst, int64(x), 10)
	case int16:
		return strconv.AppendInt(dst, int64(x), 10)
	case int32:
		return strconv.AppendInt(dst, int64(x), 10)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case float32:
		return appendJavaFloat(dst, float64(x), 32)
	case float64:
		return appendJavaFloat(dst, x, 64)
	case *Struct:
		return append(dst, x.String()...)
	case []any:
		return appendJavaList(dst, x)
	case map[string]any:
		return appendJavaMap(dst, x)
	case MapEntries:
		dst = append(dst, '{')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(AppendJava(dst, e.Key), '=')
			dst = AppendJava(dst, e.Value)
		}
		return append(dst, '}')
	case time.Time:
		return x.UTC().AppendFormat(dst, "Mon Jan 02 15:04:05 UTC 2006")
	case fmt.Stringer:
		return append(dst, x.String()...)
	default:
		return fmt.Append(dst, x)
	}
}

// JavaText is a value already printed as AppendJava prints the value it
// stands for. The runtime puts a *JavaText (a pointer: boxing it allocates
// nothing) in place of a record's value only for a sink task that is a
// ValuePrinter, when no transformation reads the record (a schemaless JSON
// value is then printed from its bytes, never built).
type JavaText []byte

// ValuePrinter is a sink task that uses nothing of a record but its value,
// and that only to print it with AppendJava (FileStreamSink): it takes a
// *JavaText in place of any value, and records whose key or headers were left
// unread (nil) where reading them could not fail. It keeps nothing of a
// record past the Put that gave it (it copies what it prints): when the
// runtime prints its values, the records' memory, the printed text's
// included, is handed out again for the next batch.
type ValuePrinter interface {
	// PrintsValues marks the task; it does nothing.
	PrintsValues()
}

// AppendJavaDouble appends x as Java's Double.toString prints it, as
// AppendJava prints a float64.
func AppendJavaDouble(dst []byte, x float64) []byte { return appendJavaFloat(dst, x, 64) }

func appendJavaList(dst []byte, xs []any) []byte {
	dst = append(dst, '[')
	for i, e := range xs {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = AppendJava(dst, e)
	}
	return append(dst, ']')
}

// mapEntry is a map's key and value, collected for sorting by key.
type mapEntry struct {
	k string
	v any
}

func appendJavaMap(dst []byte, m map[string]any) []byte {
	var small [16]mapEntry // most maps are small: no allocation for their entries
	es := small[:0]
	for k, v := range m {
		es = append(es, mapEntry{k, v})
	}
	slices.SortFunc(es, func(a, b mapEntry) int { return strings.Compare(a.k, b.k) })
	dst = append(dst, '{')
	for i, e := range es {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(append(dst, e.k...), '=')
		dst = AppendJava(dst, e.v)
	}
	return append(dst, '}')
}

// appendJavaFloat prints x as Java's Double.toString (bits 64) or
// Float.toString (bits 32): shortest digits, plain notation with at least one
// fraction digit for 1e-3 <= |x| < 1e7, otherwise d.dddE±n.
func appendJavaFloat(dst []byte, x float64, bits int) []byte {
	switch {
	case math.IsNaN(x):
		return append(dst, "NaN"...)
	case math.IsInf(x, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(x, -1):
		return append(dst, "-Infinity"...)
	case x == 0:
		if math.Signbit(x) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	start := len(dst)
	if a := math.Abs(x); a >= 1e-3 && a < 1e7 {
		dst = strconv.AppendFloat(dst, x, 'f', -1, bits)
		if !slices.Contains(dst[start:], '.') {
			dst = append(dst, ".0"...)
		}
		return dst
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], x, 'e', -1, bits) // -d.ddde±XX
	at := slices.Index(s, 'e')
	mant, exp := s[:at], s[at+1:]
	dst = append(dst, mant...)
	if !slices.Contains(mant, '.') {
		dst = append(dst, ".0"...)
	}
	dst = append(dst, 'E')
	if exp[0] == '-' { // Go writes a sign and at least two digits, Java "-" only and no zero padding
		dst = append(dst, '-')
	}
	exp = exp[1:]
	for len(exp) > 1 && exp[0] == '0' {
		exp = exp[1:]
	}
	return append(dst, exp...)
}
