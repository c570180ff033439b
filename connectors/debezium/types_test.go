package debezium

import (
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// Decimal keeps the written scale when it exceeds the column's and pads
// the unscaled value to the column's scale otherwise, past int64 too.
func TestDecimal(t *testing.T) {
	for _, tc := range []struct {
		in    string
		scale int32
		want  string
		at    int32
	}{
		{"12.5", 2, "12.50", 2},
		{"-3", 4, "-3.0000", 4},
		{"1.234", 2, "1.234", 3},
		{"7", 0, "7", 0},
		{"1", 30, "1." + "000000000000000000000000000000", 30},
		{"99999999999999999.99", 20, "99999999999999999.99000000000000000000", 20},
	} {
		v, err := Decimal(tc.in, tc.scale)
		if err != nil {
			t.Fatal(err)
		}
		d := v.(connectors.Decimal)
		if d.String() != tc.want || d.Scale != tc.at {
			t.Errorf("Decimal(%s, %d) = %s (scale %d), want %s (scale %d)", tc.in, tc.scale, d, d.Scale, tc.want, tc.at)
		}
	}
}

// opValue returns the boxed operation, equal to the string it was given.
func TestOpValue(t *testing.T) {
	for _, op := range []string{OpRead, OpCreate, OpUpdate, OpDelete, "t"} {
		if v := opValue(op); v != any(op) {
			t.Errorf("opValue(%s) = %v", op, v)
		}
	}
}
