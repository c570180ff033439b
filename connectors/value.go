package connectors

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"time"
)

// Values are plain Go values, one representation per schema type:
//
//	INT8 int8, INT16 int16, INT32 int32, INT64 int64, FLOAT32 float32, FLOAT64 float64,
//	BOOLEAN bool, STRING string, BYTES []byte, ARRAY []any, STRUCT *Struct,
//	MAP map[string]any when keys are strings, MapEntries otherwise.
//
// Logical types: Decimal is Decimal, Date/Time/Timestamp are time.Time (UTC).
// Schemaless values use the same types (JSON objects become map[string]any).

// MapEntry is one key/value pair of a MAP whose keys are not strings.
type MapEntry struct {
	Key   any
	Value any
}

// MapEntries is a MAP value with non-string keys, in insertion order.
type MapEntries []MapEntry

// ErrData is the sentinel wrapped by every value/schema mismatch, the counterpart
// of Kafka Connect's DataException. Per-record failures wrap it.
var ErrData = errors.New("data error")

// DataError builds an ErrData-wrapping error with Kafka Connect's message text.
func DataError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrData, fmt.Sprintf(format, args...))
}

// Validate checks that v is a valid value for schema s, as ConnectSchema.validateValue does.
func Validate(s *Schema, v any) error {
	if v == nil {
		if s.Optional || s.Default != nil {
			return nil
		}
		return DataError("Invalid value: null used for required field: \"%s\", schema type: %s", s.Name, s.Type)
	}
	if s.Name != "" {
		if ok, known := validLogical(s.Name, v); known {
			if !ok {
				return DataError("Invalid Java object for logical type %s: %T", s.Name, v)
			}
			return nil
		}
	}
	switch s.Type {
	case TypeInt8:
		return expect[int8](s, v)
	case TypeInt16:
		return expect[int16](s, v)
	case TypeInt32:
		return expect[int32](s, v)
	case TypeInt64:
		return expect[int64](s, v)
	case TypeFloat32:
		return expect[float32](s, v)
	case TypeFloat64:
		return expect[float64](s, v)
	case TypeBoolean:
		return expect[bool](s, v)
	case TypeString:
		return expect[string](s, v)
	case TypeBytes:
		return expect[[]byte](s, v)
	case TypeArray:
		arr, ok := v.([]any)
		if !ok {
			return mismatch(s, v)
		}
		for _, e := range arr {
			if err := Validate(s.ValueSchema, e); err != nil {
				return err
			}
		}
	case TypeMap:
		return validateMap(s, v)
	case TypeStruct:
		st, ok := v.(*Struct)
		if !ok {
			return mismatch(s, v)
		}
		if !Equal(st.schema, s) {
			return DataError("Struct schemas do not match.")
		}
		return st.Validate()
	}
	return nil
}

func validateMap(s *Schema, v any) error {
	switch m := v.(type) {
	case map[string]any:
		for k, e := range m {
			if err := Validate(s.KeySchema, k); err != nil {
				return err
			}
			if err := Validate(s.ValueSchema, e); err != nil {
				return err
			}
		}
	case MapEntries:
		for _, e := range m {
			if err := Validate(s.KeySchema, e.Key); err != nil {
				return err
			}
			if err := Validate(s.ValueSchema, e.Value); err != nil {
				return err
			}
		}
	default:
		return mismatch(s, v)
	}
	return nil
}

func expect[T any](s *Schema, v any) error {
	if _, ok := v.(T); !ok {
		return mismatch(s, v)
	}
	return nil
}

func mismatch(s *Schema, v any) error {
	return DataError("Invalid Java object for schema with type %s: %T", s.Type, v)
}

// ValuesEqual compares two values deeply, treating []byte by content.
func ValuesEqual(a, b any) bool {
	switch x := a.(type) {
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case *Struct:
		y, ok := b.(*Struct)
		return ok && x.Equal(y)
	case Decimal:
		y, ok := b.(Decimal)
		return ok && x.Scale == y.Scale && x.Unscaled.Cmp(y.Unscaled) == 0
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	}
	return reflect.DeepEqual(a, b)
}

// Decimal is an arbitrary-precision decimal: Unscaled × 10^-Scale, as java.math.BigDecimal.
type Decimal struct {
	Unscaled *big.Int
	Scale    int32
}

// String prints the decimal in plain notation keeping its scale ("1.50").
func (d Decimal) String() string {
	if d.Unscaled == nil {
		return "0"
	}
	return formatDecimal(d.Unscaled, d.Scale)
}

func formatDecimal(u *big.Int, scale int32) string {
	s := u.String()
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	if scale > 0 {
		for int32(len(s)) <= scale {
			s = "0" + s
		}
		s = s[:int32(len(s))-scale] + "." + s[int32(len(s))-scale:]
	} else if scale < 0 {
		for i := int32(0); i < -scale; i++ {
			s += "0"
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

// plainDecimal reads a decimal of at most 18 digits, an optional minus
// sign and an optional point ("-12.50", "7", ".5", "5."), the form databases
// write, without big.Rat: the unscaled value and the digits after the point.
func plainDecimal(s string) (u int64, scale int32, ok bool) {
	digits, point := 0, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits++; digits > 18 {
				return 0, 0, false
			}
			u = u*10 + int64(c-'0')
		case c == '.' && point < 0:
			point = i
		case c == '-' && i == 0:
		default:
			return 0, 0, false
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	if point >= 0 {
		scale = int32(len(s) - point - 1)
	}
	if s[0] == '-' {
		u = -u
	}
	return u, scale, true
}

// ParseDecimal reads "1.50" into a Decimal keeping the written scale.
func ParseDecimal(s string) (Decimal, error) {
	if u, scale, ok := plainDecimal(s); ok {
		return Decimal{Unscaled: big.NewInt(u), Scale: scale}, nil
	}
	return ratDecimal(s)
}

// ratDecimal is ParseDecimal of any form big.Rat reads.
func ratDecimal(s string) (Decimal, error) {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return Decimal{}, DataError("invalid decimal %q", s)
	}
	scale := int32(0)
	if i := bytes.IndexByte([]byte(s), '.'); i >= 0 {
		end := len(s)
		if j := bytes.IndexAny([]byte(s), "eE"); j >= 0 {
			end = j
		}
		scale = int32(end - i - 1)
	}
	num := new(big.Int).Mul(r.Num(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(scale, 0))), nil))
	num.Quo(num, r.Denom())
	return Decimal{Unscaled: num, Scale: scale}, nil
}

// JavaLong is Java's (long) cast of a double, which Kafka Connect's
// conversions use: truncation toward zero, saturating at the int64 range,
// NaN is 0 (Go's int64(f) is undefined outside the range).
func JavaLong(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}
