package debezium

import (
	"math/big"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// Debezium's semantic type names, shared by the CDC connectors.
const (
	NameDate           = "io.debezium.time.Date"
	NameTime           = "io.debezium.time.Time"
	NameMicroTime      = "io.debezium.time.MicroTime"
	NameTimestamp      = "io.debezium.time.Timestamp"
	NameMicroTimestamp = "io.debezium.time.MicroTimestamp"
	NameZonedTimestamp = "io.debezium.time.ZonedTimestamp"
	NameJSON           = "io.debezium.data.Json"
)

// Fallback is Debezium's value for a required column that has none (a
// delete's missing before-image column, a zero date): zero of its type, the
// epoch for Connect's temporal types, (0, [0]) for a VariableScaleDecimal.
func Fallback(s *connectors.Schema) any {
	switch s.Type {
	case connectors.TypeInt8:
		return int8(0)
	case connectors.TypeInt16:
		return int16(0)
	case connectors.TypeInt32:
		if s.Name == connectors.DateName || s.Name == connectors.TimeName {
			return time.Unix(0, 0).UTC()
		}
		return int32(0)
	case connectors.TypeInt64:
		if s.Name == connectors.TimestampName {
			return time.Unix(0, 0).UTC()
		}
		return int64(0)
	case connectors.TypeFloat32:
		return float32(0)
	case connectors.TypeFloat64:
		return float64(0)
	case connectors.TypeBoolean:
		return false
	case connectors.TypeString:
		return ""
	case connectors.TypeBytes:
		if s.Name == connectors.DecimalName {
			sc, _ := connectors.DecimalScale(s)
			return connectors.Decimal{Unscaled: new(big.Int), Scale: sc}
		}
		return []byte{}
	case connectors.TypeStruct:
		st := connectors.NewStruct(s)
		st.Set(0, int32(0))
		st.Set(1, []byte{0})
		return st
	}
	return nil
}

// pow10 are the powers of ten an int64 holds.
var pow10 = [...]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// Decimal reads decimal text into a Decimal of at least the given scale
// (the column's), as Debezium's precise mode writes it.
func Decimal(s string, scale int32) (any, error) {
	d, err := connectors.ParseDecimal(s)
	if err != nil {
		return nil, err
	}
	u := d.Unscaled // ParseDecimal's own
	switch {
	case scale > d.Scale && scale-d.Scale < int32(len(pow10)):
		u.Mul(u, big.NewInt(pow10[scale-d.Scale]))
	case scale > d.Scale:
		u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-d.Scale)), nil))
	}
	return connectors.Decimal{Unscaled: u, Scale: max(scale, d.Scale)}, nil
}
