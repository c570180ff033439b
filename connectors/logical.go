package connectors

import (
	"math/big"
	"strconv"
	"time"
)

// Logical type names, as Kafka Connect writes them in schemas.
const (
	DecimalName   = "org.apache.kafka.connect.data.Decimal"
	DateName      = "org.apache.kafka.connect.data.Date"
	TimeName      = "org.apache.kafka.connect.data.Time"
	TimestampName = "org.apache.kafka.connect.data.Timestamp"
	// DecimalScaleParam is the schema parameter holding a Decimal's scale.
	DecimalScaleParam = "scale"
)

const msPerDay = 24 * 60 * 60 * 1000

// DecimalSchema returns a Decimal schema builder with the given scale (BYTES, version 1).
func DecimalSchema(scale int32) *SchemaBuilder {
	return NewSchemaBuilder(TypeBytes).Name(DecimalName).Version(1).Parameter(DecimalScaleParam, strconv.Itoa(int(scale)))
}

// DateSchema returns a Date schema builder (INT32 days since epoch, version 1).
func DateSchema() *SchemaBuilder { return NewSchemaBuilder(TypeInt32).Name(DateName).Version(1) }

// TimeSchema returns a Time schema builder (INT32 ms since midnight, version 1).
func TimeSchema() *SchemaBuilder { return NewSchemaBuilder(TypeInt32).Name(TimeName).Version(1) }

// TimestampSchema returns a Timestamp schema builder (INT64 epoch ms, version 1).
func TimestampSchema() *SchemaBuilder {
	return NewSchemaBuilder(TypeInt64).Name(TimestampName).Version(1)
}

// validLogical reports whether v suits the logical type name, and whether the name is one.
func validLogical(name string, v any) (ok, known bool) {
	switch name {
	case DecimalName:
		_, ok = v.(Decimal)
		return ok, true
	case DateName, TimeName, TimestampName:
		_, ok = v.(time.Time)
		return ok, true
	}
	return false, false
}

// DecimalScale returns the scale declared by a Decimal schema.
func DecimalScale(s *Schema) (int32, error) {
	p, ok := s.Parameters[DecimalScaleParam]
	if !ok {
		return 0, DataError("Invalid Decimal schema: scale parameter not found.")
	}
	n, err := strconv.ParseInt(p, 10, 32)
	if err != nil {
		return 0, DataError("Invalid scale parameter found in Decimal schema: %s", p)
	}
	return int32(n), nil
}

// DecimalToBytes encodes d as Kafka Connect does: big-endian two's-complement unscaled value.
func DecimalToBytes(d Decimal) []byte {
	u := d.Unscaled
	if u == nil {
		u = new(big.Int)
	}
	if u.Sign() >= 0 {
		b := u.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return b
	}
	// Two's complement of a negative number: 2^(8n) + u, with n minimal as
	// BigInteger.toByteArray (bitLength()/8 + 1, bitLength of -u-1).
	n := new(big.Int).Not(u).BitLen()/8 + 1
	mod := new(big.Int).Lsh(big.NewInt(1), uint(8*n))
	b := new(big.Int).Add(mod, u).Bytes()
	for len(b) < n {
		b = append([]byte{0xff}, b...)
	}
	return b
}

// DecimalFromBytes decodes the big-endian two's-complement form with the given scale.
func DecimalFromBytes(b []byte, scale int32) Decimal {
	u := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		u.Sub(u, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return Decimal{Unscaled: u, Scale: scale}
}

// DateToDays converts a Date value to days since epoch; it must be a UTC midnight.
func DateToDays(t time.Time) (int32, error) {
	ms := t.UnixMilli()
	if ms%msPerDay != 0 {
		return 0, DataError("Kafka Connect Date type should not have any time fields set to non-zero values.")
	}
	return int32(ms / msPerDay), nil
}

// DaysToDate converts days since epoch to a Date value.
func DaysToDate(d int32) time.Time { return time.UnixMilli(int64(d) * msPerDay).UTC() }

// TimeToMillis converts a Time value to ms since midnight; the date part must be 1970-01-01.
func TimeToMillis(t time.Time) (int32, error) {
	ms := t.UnixMilli()
	if ms < 0 || ms >= msPerDay {
		return 0, DataError("Kafka Connect Time type should not have any date fields set to non-zero values.")
	}
	return int32(ms), nil
}

// MillisToTime converts ms since midnight to a Time value.
func MillisToTime(ms int32) time.Time { return time.UnixMilli(int64(ms)).UTC() }
