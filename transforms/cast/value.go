package cast

import (
	"encoding/base64"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
	"github.com/ferryhq/ferry/transforms/operand"
)

const msPerDay = 24 * 60 * 60 * 1000

// schemaType is ConnectSchema.schemaType: the Connect type of a Java value, 0 if none.
func schemaType(v any) connectors.Type {
	switch v.(type) {
	case int8:
		return connectors.TypeInt8
	case int16:
		return connectors.TypeInt16
	case int32:
		return connectors.TypeInt32
	case int64:
		return connectors.TypeInt64
	case float32:
		return connectors.TypeFloat32
	case float64:
		return connectors.TypeFloat64
	case bool:
		return connectors.TypeBoolean
	case string:
		return connectors.TypeString
	case []byte:
		return connectors.TypeBytes
	case []any:
		return connectors.TypeArray
	case map[string]any, connectors.MapEntries:
		return connectors.TypeMap
	case *connectors.Struct:
		return connectors.TypeStruct
	}
	return 0
}

// castValue is Cast.castValueToType.
func castValue(schema *connectors.Schema, v any, target connectors.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	from := schemaType(v)
	if schema != nil {
		from = schema.Type
	}
	if from == 0 {
		return nil, operand.Data("Cast transformation was passed a value of type class %s which is not supported by Connect's data API", operand.JavaClass(v))
	}
	if !from.IsPrimitive() {
		return nil, operand.Data("Cast transformation does not support casting from %s; supported types are %s", from, inputs)
	}
	if schema != nil && schema.Name != "" && target != connectors.TypeString {
		v = encodeLogical(schema, v)
	}
	if target == connectors.TypeString {
		return castToString(v), nil
	}
	if target == connectors.TypeBoolean {
		return castToBoolean(v)
	}
	return castToNumber(v, target)
}

func encodeLogical(s *connectors.Schema, v any) any {
	t, ok := v.(time.Time)
	if !ok {
		return v
	}
	ms := t.UnixMilli()
	switch s.Name {
	case connectors.DateName:
		return int32(ms / msPerDay)
	case connectors.TimeName:
		return int32(ms)
	case connectors.TimestampName:
		return ms
	}
	return v
}

func castToString(v any) string {
	switch x := v.(type) {
	case time.Time:
		ms := x.UnixMilli()
		switch {
		case ms < msPerDay:
			return x.UTC().Format("15:04:05.000Z")
		case ms%msPerDay == 0:
			return x.UTC().Format("2006-01-02")
		}
		return x.UTC().Format("2006-01-02T15:04:05.000Z")
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case float32:
		var buf [32]byte
		return string(connectjson.AppendJavaFloat(buf[:0], x))
	case float64:
		var buf [32]byte
		return string(connectjson.AppendJavaDouble(buf[:0], x))
	case connectors.Decimal:
		return string(connectjson.AppendBigDecimal(nil, x))
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	}
	return javaToString(v)
}

func javaToString(v any) string {
	switch x := v.(type) {
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return operand.JavaClass(v)
}

func castToBoolean(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		return strings.EqualFold(x, "true"), nil
	}
	if l, ok := longValue(v); ok {
		return l != 0, nil
	}
	return nil, unexpected(v)
}

func unexpected(v any) error {
	return operand.Data("Unexpected type in Cast transformation: class %s", operand.JavaClass(v))
}

// longValue is Number.longValue for the Java number classes.
func longValue(v any) (int64, bool) {
	switch x := v.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case float32:
		return connectors.JavaLong(float64(x)), true
	case float64:
		return connectors.JavaLong(x), true
	case connectors.Decimal:
		return decimalInt(x).Int64(), true
	}
	return 0, false
}

// intValue is Number.intValue: doubles saturate to int, longs wrap.
func intValue(v any) (int32, bool) {
	switch x := v.(type) {
	case float32:
		return d2i(float64(x)), true
	case float64:
		return d2i(x), true
	}
	l, ok := longValue(v)
	return int32(l), ok
}

func decimalInt(d connectors.Decimal) *big.Int {
	u := new(big.Int).Set(d.Unscaled)
	if d.Scale > 0 {
		u.Quo(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil))
	} else if d.Scale < 0 {
		u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-d.Scale)), nil))
	}
	// BigInteger.longValue keeps the low 64 bits.
	mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 64), big.NewInt(1))
	low := new(big.Int).And(u, mask)
	if low.Bit(63) == 1 {
		low.Sub(low, new(big.Int).Lsh(big.NewInt(1), 64))
	}
	return low
}

func d2i(f float64) int32 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt32:
		return math.MaxInt32
	case f <= math.MinInt32:
		return math.MinInt32
	}
	return int32(f)
}

func floatValue(v any) (float64, bool) {
	switch x := v.(type) {
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, true
	case connectors.Decimal:
		f, _ := new(big.Float).SetString(x.String())
		r, _ := f.Float64()
		return r, true
	}
	return 0, false
}
