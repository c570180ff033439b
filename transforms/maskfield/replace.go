package maskfield

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// replace converts the replacement string to the Java class of v, as
// MaskField's REPLACEMENT_MAPPING_FUNC (Values.convertTo* for numbers).
func replace(v any, s string) (any, error) {
	switch v.(type) {
	case string:
		return s, nil
	case connectors.Decimal:
		d, err := connectors.ParseDecimal(strings.TrimSpace(s))
		if err != nil || strings.TrimSpace(s) != s {
			return nil, numberError(s)
		}
		return d, nil
	case int8, int16, int32, int64, float32, float64:
		return convertNumber(v, s)
	}
	return nil, operand.Data("Cannot mask value of type class %s with custom replacement.", operand.JavaClass(v))
}

func numberError(s string) error {
	return operand.Data("Unable to convert %s (class java.lang.String) to number", s)
}

// convertNumber is Values.convertTo<Type>(null, s): the string is parsed as
// Values.parseString does, then narrowed with Java's primitive casts.
func convertNumber(v any, s string) (any, error) {
	t := strings.TrimSpace(s)
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		switch v.(type) {
		case int8:
			return int8(n), nil
		case int16:
			return int16(n), nil
		case int32:
			return int32(n), nil
		case int64:
			return n, nil
		case float32:
			return float32(n), nil
		case float64:
			return float64(n), nil
		}
	}
	f, ok := new(big.Float).SetString(t)
	if !ok {
		return nil, convertError(v, s)
	}
	x, _ := f.Float64()
	switch v.(type) {
	case float32:
		return float32(x), nil
	case float64:
		return x, nil
	}
	l := connectors.JavaLong(x)
	switch v.(type) {
	case int8:
		return int8(l), nil
	case int16:
		return int16(l), nil
	case int32:
		return int32(l), nil
	}
	return l, nil
}

func convertError(v any, s string) error {
	names := map[string]string{"java.lang.Byte": "INT8", "java.lang.Short": "INT16", "java.lang.Integer": "INT32",
		"java.lang.Long": "INT64", "java.lang.Float": "FLOAT32", "java.lang.Double": "FLOAT64"}
	return operand.Data("Unable to convert %s (class java.lang.String) to %s", s, names[operand.JavaClass(v)])
}
