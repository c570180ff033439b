package recordline

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// decodeTyped reads a schemaless value in the record-line form: JSON
// integers are INT64, fractions FLOAT64, and a one-key object naming a type
// ({"$int8":1}, {"$bytes":"..."}, {"$timestamp":ms}, {"$decimal":"1.50"}, ...)
// gives that type.
func decodeTyped(raw json.RawMessage) (any, error) {
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return typedValue(v)
}

func typedValue(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return n, nil
		}
		return strconv.ParseFloat(string(x), 64)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			var err error
			if out[i], err = typedValue(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for k, e := range x {
				if strings.HasPrefix(k, "$") {
					return typedScalar(k, e)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			var err error
			if out[k], err = typedValue(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return v, nil
}

func typedScalar(typ string, v any) (any, error) {
	num, _ := v.(json.Number)
	str, _ := v.(string)
	bad := fmt.Errorf("bad typed value {%q: %v}", typ, v)
	switch typ {
	case "$int8", "$int16", "$int32", "$int64", "$timestamp":
		bits := map[string]int{"$int8": 8, "$int16": 16, "$int32": 32, "$int64": 64, "$timestamp": 64}[typ]
		n, err := strconv.ParseInt(string(num), 10, bits)
		if err != nil {
			return nil, bad
		}
		switch typ {
		case "$int8":
			return int8(n), nil
		case "$int16":
			return int16(n), nil
		case "$int32":
			return int32(n), nil
		case "$timestamp":
			return time.UnixMilli(n).UTC(), nil
		}
		return n, nil
	case "$float32", "$float64":
		f, err := strconv.ParseFloat(string(num), 64)
		if err != nil {
			return nil, bad
		}
		if typ == "$float32" {
			return float32(f), nil
		}
		return f, nil
	case "$bytes":
		b, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			return nil, bad
		}
		return b, nil
	case "$decimal":
		d, err := connectors.ParseDecimal(str)
		if err != nil {
			return nil, bad
		}
		return d, nil
	}
	return nil, fmt.Errorf("unknown typed value %q: use $int8, $int16, $int32, $int64, $float32, $float64, $bytes, $timestamp or $decimal", typ)
}

// appendTyped writes a schemaless value in the record-line form.
func appendTyped(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return AppendString(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case float64:
		return connectjson.AppendJavaDouble(b, x), nil
	case int8, int16, int32:
		n := map[string]string{"int8": "$int8", "int16": "$int16", "int32": "$int32"}[fmt.Sprintf("%T", v)]
		return fmt.Appendf(b, `{"%s":%d}`, n, x), nil
	case float32:
		b = append(b, `{"$float32":`...)
		return append(connectjson.AppendJavaFloat(b, x), '}'), nil
	case []byte:
		return append(AppendString(append(b, `{"$bytes":`...), base64.StdEncoding.EncodeToString(x)), '}'), nil
	case time.Time:
		return fmt.Appendf(b, `{"$timestamp":%d}`, x.UnixMilli()), nil
	case connectors.Decimal:
		return append(AppendString(append(b, `{"$decimal":`...), x.String()), '}'), nil
	case []any:
		return appendArray(b, x)
	case map[string]any:
		return appendMap(b, x)
	case connectors.MapEntries:
		m := make(map[string]any, len(x))
		for _, e := range x {
			m[fmt.Sprint(e.Key)] = e.Value
		}
		return appendMap(b, m)
	}
	return nil, fmt.Errorf("cannot print a schemaless %T", v)
}

func appendArray(b []byte, x []any) ([]byte, error) {
	b = append(b, '[')
	for i, e := range x {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendTyped(b, e); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

func appendMap(b []byte, m map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(AppendString(b, k), ':')
		var err error
		if b, err = appendTyped(b, m[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// AppendString appends s as a JSON string, HTML characters not escaped.
func AppendString(b []byte, s string) []byte {
	var sb strings.Builder
	e := json.NewEncoder(&sb)
	e.SetEscapeHTML(false)
	_ = e.Encode(s)
	return append(b, strings.TrimSuffix(sb.String(), "\n")...)
}
