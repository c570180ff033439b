// Package json is ferry's stand-in for github.com/goccy/go-json v0.10.2,
// which ferry's go.mod replaces with it: the one function go-mysql's binlog
// JSON decoder calls (replication.RowsEvent.decodeJsonBinary), Marshal,
// writing the bytes goccy/go-json writes for the values that decoder makes
// (nil, bool, integers, float64, string, map[string]any, []any and
// json.Marshaler values such as decimals). goccy/go-json builds decoder
// tables as large as the program's type section at init (megabytes in
// ferry's Lambda function, enough to force a garbage collection before
// main: the measured figure is in docs/lambda.md);
// connectors/mysqlcdc's TestJSONColumnMarshal pins the bytes against a
// golden file goccy/go-json itself wrote.
package json

import (
	stdjson "encoding/json"
	"math"
	"slices"
	"strconv"
)

// Marshal returns the JSON encoding of v as goccy/go-json's Marshal does:
// encoding/json's, except that floats with an exponent keep
// strconv's two-digit exponent (1e-07, where encoding/json writes 1e-7).
func Marshal(v any) ([]byte, error) { return appendValue(nil, v) }

func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case float64:
		return appendFloat(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		b = append(b, '{')
		for i, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		}) {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, k); err != nil {
				return nil, err
			}
			b = append(b, ':')
			if b, err = appendValue(b, x[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	out, err := stdjson.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, out...), nil
}

// appendFloat is goccy/go-json's AppendFloat64.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, &stdjson.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, 64), nil
}
