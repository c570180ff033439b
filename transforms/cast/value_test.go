package cast

import (
	"math"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

func TestCastValue(t *testing.T) {
	ts := connectors.TimestampSchema().MustBuild()
	dec, _ := connectors.ParseDecimal("-12.75")
	tests := []struct {
		schema *connectors.Schema
		in     any
		to     connectors.Type
		want   any
		err    bool
	}{
		{nil, int64(300), connectors.TypeInt8, int8(44), false},
		{nil, float64(1e12), connectors.TypeInt32, int32(math.MaxInt32), false},
		{nil, math.NaN(), connectors.TypeInt64, int64(0), false},
		{nil, 0.5, connectors.TypeBoolean, false, false},
		{nil, "TRUE", connectors.TypeBoolean, true, false},
		{nil, "yes", connectors.TypeBoolean, false, false},
		{nil, true, connectors.TypeFloat32, float32(1), false},
		{nil, "1.5", connectors.TypeInt32, nil, true},
		{nil, " 7", connectors.TypeInt16, nil, true},
		{nil, "2.5f", connectors.TypeFloat64, 2.5, false},
		{nil, 1e10, connectors.TypeString, "1.0E10", false},
		{nil, []byte{0, 1}, connectors.TypeString, "AAE=", false},
		{nil, dec, connectors.TypeInt32, nil, true}, // BigDecimal is no Connect type without a schema
		{connectors.DecimalSchema(2).MustBuild(), dec, connectors.TypeInt32, int32(-12), false},
		{ts, time.UnixMilli(86400000 * 3).UTC(), connectors.TypeString, "1970-01-04", false},
		{ts, time.UnixMilli(5).UTC(), connectors.TypeString, "00:00:00.005Z", false},
		{ts, time.UnixMilli(86400001).UTC(), connectors.TypeInt64, int64(86400001), false},
		{nil, []any{1}, connectors.TypeString, nil, true},
	}
	for _, tt := range tests {
		got, err := castValue(tt.schema, tt.in, tt.to)
		if (err != nil) != tt.err || (!tt.err && !connectors.ValuesEqual(got, tt.want)) {
			t.Errorf("cast %v (%T) to %s = %v (%T), %v; want %v (error %v)", tt.in, tt.in, tt.to, got, got, err, tt.want, tt.err)
		}
	}
}
