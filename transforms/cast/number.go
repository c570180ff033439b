package cast

import (
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

func castToNumber(v any, target connectors.Type) (any, error) {
	switch x := v.(type) {
	case bool:
		var n int64
		if x {
			n = 1
		}
		return narrow(n, float64(n), target), nil
	case string:
		return parseNumber(x, target)
	}
	switch target {
	case connectors.TypeFloat32:
		if f32, ok := v.(float32); ok {
			return f32, nil
		}
		f, ok := floatValue(v)
		if !ok {
			return nil, unexpected(v)
		}
		return float32(f), nil
	case connectors.TypeFloat64:
		f, ok := floatValue(v)
		if !ok {
			return nil, unexpected(v)
		}
		return f, nil
	case connectors.TypeInt64:
		l, ok := longValue(v)
		if !ok {
			return nil, unexpected(v)
		}
		return l, nil
	}
	i, ok := intValue(v)
	if !ok {
		return nil, unexpected(v)
	}
	switch target {
	case connectors.TypeInt8:
		return int8(i), nil
	case connectors.TypeInt16:
		return int16(i), nil
	}
	return i, nil
}

func narrow(n int64, f float64, target connectors.Type) any {
	switch target {
	case connectors.TypeInt8:
		return int8(n)
	case connectors.TypeInt16:
		return int16(n)
	case connectors.TypeInt32:
		return int32(n)
	case connectors.TypeInt64:
		return n
	case connectors.TypeFloat32:
		return float32(f)
	}
	return f
}

// parseNumber is Byte.parseByte, ..., Double.parseDouble.
func parseNumber(s string, target connectors.Type) (any, error) {
	outOfRange := operand.Data("Value (%s) was out of range for requested data type", s)
	if target == connectors.TypeFloat32 || target == connectors.TypeFloat64 {
		t := strings.TrimSpace(s)
		if n := len(t); n > 0 && strings.ContainsRune("fFdD", rune(t[n-1])) && !strings.HasSuffix(t, "Infinity") {
			t = t[:n-1]
		}
		if strings.HasSuffix(t, "Infinity") {
			t = strings.TrimSuffix(t, "Infinity") + "Inf"
		}
		if strings.EqualFold(t, "inf") || strings.EqualFold(t, "+inf") || strings.EqualFold(t, "-inf") || strings.EqualFold(t, "infinity") {
			if !strings.HasSuffix(t, "Inf") {
				return nil, outOfRange
			}
		}
		bits := 64
		if target == connectors.TypeFloat32 {
			bits = 32
		}
		f, err := strconv.ParseFloat(t, bits)
		if err != nil && !isRangeErr(err) {
			return nil, outOfRange
		}
		if bits == 32 {
			return float32(f), nil
		}
		return f, nil
	}
	bits := map[connectors.Type]int{connectors.TypeInt8: 8, connectors.TypeInt16: 16, connectors.TypeInt32: 32, connectors.TypeInt64: 64}[target]
	n, err := strconv.ParseInt(s, 10, bits)
	if err != nil || strings.HasPrefix(s, "0x") {
		return nil, outOfRange
	}
	return narrow(n, 0, target), nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
