package connectjson

import (
	"math"
	"math/big"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

func TestJavaDouble(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{0, "0.0"}, {1, "1.0"}, {-1, "-1.0"}, {12.34, "12.34"}, {0.1, "0.1"}, {1e20, "1.0E20"},
		{1e7, "1.0E7"}, {9999999, "9999999.0"}, {0.001, "0.001"}, {0.00099, "9.9E-4"}, {1e-5, "1.0E-5"},
		{123456789012, "1.23456789012E11"}, {1.0 / 3, "0.3333333333333333"}, {2e23, "2.0E23"},
		{math.SmallestNonzeroFloat64, "4.9E-324"}, {math.MaxFloat64, "1.7976931348623157E308"},
		{math.NaN(), "NaN"}, {math.Inf(-1), "-Infinity"}, {100, "100.0"}, {1.5e300, "1.5E300"},
	}
	for _, c := range cases {
		if got := string(AppendJavaDouble(nil, c.in)); got != c.want {
			t.Errorf("Double.toString(%v) = %s, want %s", c.in, got, c.want)
		}
	}
	fcases := []struct {
		in   float32
		want string
	}{
		{0.1, "0.1"}, {1, "1.0"}, {1e10, "1.0E10"}, {3.4028235e38, "3.4028235E38"}, {1.4e-45, "1.4E-45"},
		{0.3, "0.3"}, {16777216, "1.6777216E7"}, {1234.5, "1234.5"},
	}
	for _, c := range fcases {
		if got := string(AppendJavaFloat(nil, c.in)); got != c.want {
			t.Errorf("Float.toString(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestBigDecimalString(t *testing.T) {
	cases := []struct {
		d    connectors.Decimal
		want string
	}{
		{decimal(156, 2), "1.56"}, {decimal(-156, 2), "-1.56"}, {decimal(15600, 4), "1.5600"}, {decimal(0, 2), "0.00"},
		{decimal(1, 6), "0.000001"}, {decimal(1, 7), "1E-7"}, {decimal(-15, 8), "-1.5E-7"}, {decimal(1, -3), "1E+3"},
		{decimal(123, -2), "1.23E+4"}, {decimal(42, 0), "42"},
	}
	for _, c := range cases {
		if got := string(AppendBigDecimal(nil, c.d)); got != c.want {
			t.Errorf("BigDecimal(%v,%d).toString() = %s, want %s", c.d.Unscaled, c.d.Scale, got, c.want)
		}
	}
}

func decimal(unscaled int64, scale int32) connectors.Decimal {
	return connectors.Decimal{Unscaled: big.NewInt(unscaled), Scale: scale}
}
