package connectors

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAppendJava(t *testing.T) {
	printed := JavaText("{a=1, b=[x]}")
	tests := []struct {
		in   any
		want string
	}{
		{nil, "null"},
		{"s", "s"},
		{int8(-3), "-3"},
		{int16(300), "300"},
		{int32(7), "7"},
		{int64(1) << 40, "1099511627776"},
		{false, "false"},
		{1.0, "1.0"},
		{0.001, "0.001"},
		{0.0001, "1.0E-4"},
		{1e7, "1.0E7"},
		{1234567.0, "1234567.0"},
		{1.25e-10, "1.25E-10"},
		{-2.5e21, "-2.5E21"},
		{1e-300, "1.0E-300"},
		{1.5e100, "1.5E100"},
		{float32(1e-5), "1.0E-5"},
		{float32(3e10), "3.0E10"},
		{map[string]any{"m": map[string]any{"z": 1.5, "y": nil}, "a": []any{}}, "{a=[], m={y=null, z=1.5}}"},
		{float32(0.1), "0.1"},
		{math.NaN(), "NaN"},
		{math.Inf(-1), "-Infinity"},
		{math.Copysign(0, -1), "-0.0"},
		{[]any{int32(1), "a", nil}, "[1, a, null]"},
		{map[string]any{"b": int32(2), "a": "x"}, "{a=x, b=2}"},
		{MapEntries{{Key: int32(1), Value: true}}, "{1=true}"},
		{time.UnixMilli(0), "Thu Jan 01 00:00:00 UTC 1970"},
		{[]byte("raw"), "raw"},
		{&printed, "{a=1, b=[x]}"},
	}
	for _, tc := range tests {
		if got := string(AppendJava(nil, tc.in)); got != tc.want {
			t.Errorf("AppendJava(%#v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// refJavaFloat is the FormatFloat-based printing appendJavaFloat replaced,
// kept as the reference it must match byte for byte.
func refJavaFloat(x float64, bits int) string {
	if a := math.Abs(x); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(x, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(x, 'e', -1, bits), "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// TestJavaFloatMatchesReference: random doubles and floats of every
// magnitude print as the reference prints them.
func TestJavaFloatMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		x := math.Float64frombits(r.Uint64())
		if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
			continue
		}
		bits := 64
		if r.IntN(2) == 0 {
			x, bits = float64(float32(x)), 32
			if math.IsInf(x, 0) || x == 0 {
				continue
			}
		}
		if got, want := string(appendJavaFloat([]byte("p"), x, bits)), "p"+refJavaFloat(x, bits); got != want {
			t.Fatalf("appendJavaFloat(%v, %d) = %q, want %q", x, bits, got, want)
		}
	}
}
