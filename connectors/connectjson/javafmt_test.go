package connectjson

import (
	"math"
	"math/big"
	"math/rand/v2"
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

// TestPlainShortestIsShortest: the fast path for 1e-3 <= f < 1e7 prints what
// the general path prints, for doubles and floats across the range, its
// boundaries and whole numbers.
func TestPlainShortestIsShortest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var in []float64
	for _, x := range []float64{1e-3, math.Nextafter(1e-3, 1), 1e7 - 1, math.Nextafter(1e7, 0), 0.5, 0.25, 1, 9, 10, 100, 1e6, 0.1, 0.3} {
		in = append(in, x)
	}
	for i := 0; i < 200_000; i++ {
		in = append(in,
			math.Pow(10, -3+10*rng.Float64()),        // any double across the range
			float64(rng.IntN(10_000_000)),            // whole numbers
			float64(rng.IntN(1_000_000))/4,           // quarters, as the chain's benchmark
			float64(rng.IntN(100_000_000))/1000+1e-3) // three decimals
	}
	for _, f := range in {
		if f < 1e-3 || f >= 1e7 {
			continue
		}
		for _, bits := range []int{64, 32} {
			x := f
			if bits == 32 {
				x = float64(float32(f))
				if x < 1e-3 || x >= 1e7 {
					continue
				}
			}
			if got, want := string(appendPlainShortest(nil, x, bits)), string(appendShortest(nil, x, bits)); got != want {
				t.Fatalf("%v (%d bits): fast path %s, general path %s", x, bits, got, want)
			}
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

// BenchmarkJavaDouble formats prices (quarters up to 250), as the chain's
// benchmark casts them to strings.
func BenchmarkJavaDouble(b *testing.B) {
	var buf [32]byte
	for i := 0; i < b.N; i++ {
		AppendJavaDouble(buf[:0], float64(i%1000)/4)
	}
}
