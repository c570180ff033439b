package connectors

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	st := StructBuilder().Field("a", Int32Schema).MustBuild()
	other := StructBuilder().Field("b", Int32Schema).MustBuild()
	cases := []struct {
		name   string
		schema *Schema
		value  any
		err    string
	}{
		{"int32", Int32Schema, int32(1), ""},
		{"wrong int", Int32Schema, int64(1), "Invalid Java object for schema with type INT32: int64"},
		{"required null", Int32Schema, nil, "null used for required field"},
		{"optional null", OptionalInt32Schema, nil, ""},
		{"default null", NewSchemaBuilder(TypeInt32).DefaultValue(int32(1)).MustBuild(), nil, ""},
		{"bytes", BytesSchema, []byte("x"), ""},
		{"array", ArrayOf(Int8Schema).MustBuild(), []any{int8(1)}, ""},
		{"array elem", ArrayOf(Int8Schema).MustBuild(), []any{"x"}, "INT8"},
		{"map", MapOf(StringSchema, Int8Schema).MustBuild(), map[string]any{"a": int8(1)}, ""},
		{"map entries", MapOf(Int8Schema, Int8Schema).MustBuild(), MapEntries{{Key: int8(1), Value: int8(2)}}, ""},
		{"map bad key", MapOf(Int8Schema, Int8Schema).MustBuild(), MapEntries{{Key: "x", Value: int8(2)}}, "INT8"},
		{"struct", st, NewStruct(st).MustPut("a", int32(1)), ""},
		{"struct schema", st, NewStruct(other).MustPut("b", int32(1)), "Struct schemas do not match."},
		{"struct missing", st, NewStruct(st), "null used for required field: \"a\""},
		{"decimal", DecimalSchema(2).MustBuild(), Decimal{Unscaled: big.NewInt(1), Scale: 2}, ""},
		{"decimal wrong", DecimalSchema(2).MustBuild(), []byte{1}, "Invalid Java object for logical type"},
		{"date", DateSchema().MustBuild(), time.Unix(0, 0).UTC(), ""},
		{"date wrong", DateSchema().MustBuild(), int32(1), "logical type"},
	}
	for _, tc := range cases {
		err := Validate(tc.schema, tc.value)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !errors.Is(err, ErrData) || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
		}
	}
}

func TestValuesEqual(t *testing.T) {
	d := func(u int64, s int32) Decimal { return Decimal{Unscaled: big.NewInt(u), Scale: s} }
	cases := []struct {
		a, b any
		want bool
	}{
		{[]byte("a"), []byte("a"), true}, {[]byte("a"), "a", false},
		{d(15, 1), d(15, 1), true}, {d(15, 1), d(150, 2), false},
		{time.Unix(1, 0), time.Unix(1, 0).UTC(), true},
		{[]any{int8(1), nil}, []any{int8(1), nil}, true}, {int32(1), int64(1), false},
	}
	for i, tc := range cases {
		if got := ValuesEqual(tc.a, tc.b); got != tc.want {
			t.Errorf("case %d: ValuesEqual(%v, %v) = %v", i, tc.a, tc.b, got)
		}
	}
}

func TestDecimalString(t *testing.T) {
	cases := []struct {
		u     int64
		scale int32
		want  string
	}{{156, 2, "1.56"}, {-5, 2, "-0.05"}, {0, 0, "0"}, {12, -2, "1200"}, {15600, 4, "1.5600"}}
	for _, tc := range cases {
		if got := (Decimal{Unscaled: big.NewInt(tc.u), Scale: tc.scale}).String(); got != tc.want {
			t.Errorf("Decimal(%d,%d) = %s, want %s", tc.u, tc.scale, got, tc.want)
		}
	}
	if (Decimal{}).String() != "0" {
		t.Error("zero Decimal")
	}
}

func TestParseDecimal(t *testing.T) {
	cases := []struct {
		in    string
		u     int64
		scale int32
	}{{"1.50", 150, 2}, {"-0.5", -5, 1}, {"42", 42, 0}, {"0.000", 0, 3}, {".5", 5, 1}, {"5.", 5, 0},
		{"-999999999999999999", -999999999999999999, 0}, {"+7.25", 725, 2}, {"1.5e2", 1500, 1}, {"-0", 0, 0}}
	for _, tc := range cases {
		d, err := ParseDecimal(tc.in)
		if err != nil || d.Unscaled.Int64() != tc.u || d.Scale != tc.scale {
			t.Errorf("ParseDecimal(%s) = %v/%d, %v", tc.in, d.Unscaled, d.Scale, err)
		}
	}
	// Past 18 digits big.Rat reads it.
	if d, err := ParseDecimal("-12345678901234567890.125"); err != nil || d.String() != "-12345678901234567890.125" {
		t.Errorf("ParseDecimal(20 digits) = %v, %v", d, err)
	}
	// The fast path reads what big.Rat reads, the same way.
	for _, in := range []string{"0", "-0.0", "123456789012345678", "-123456789.012345678", "1234567890123456789",
		"00012.3400", "5.", ".5", "-.5", "9.999999999999999999"} {
		fast, err := ParseDecimal(in)
		slow, serr := ratDecimal(in)
		if err != nil || serr != nil || fast.Unscaled.Cmp(slow.Unscaled) != 0 || fast.Scale != slow.Scale {
			t.Errorf("ParseDecimal(%s) = %v/%d, big.Rat %v/%d (%v, %v)", in, fast.Unscaled, fast.Scale, slow.Unscaled, slow.Scale, err, serr)
		}
	}
	for _, bad := range []string{"", "-", ".", "1.2.3", "1-2", "--1"} {
		if _, err := ParseDecimal(bad); !errors.Is(err, ErrData) {
			t.Errorf("ParseDecimal(%q) err = %v", bad, err)
		}
	}
	if _, err := ParseDecimal("x"); !errors.Is(err, ErrData) {
		t.Errorf("ParseDecimal(x) err = %v", err)
	}
}

// TestJavaLong checks Java's (long) cast of a double: truncation toward
// zero, saturation at the int64 range, NaN as 0.
func TestJavaLong(t *testing.T) {
	tests := []struct {
		in   float64
		want int64
	}{
		{1.9, 1}, {-1.9, -1}, {0, 0}, {math.NaN(), 0},
		{math.Inf(1), math.MaxInt64}, {math.Inf(-1), math.MinInt64},
		{1e19, math.MaxInt64}, {-1e19, math.MinInt64}, {9.007199254740993e15, 9007199254740992},
	}
	for _, tt := range tests {
		if got := JavaLong(tt.in); got != tt.want {
			t.Errorf("JavaLong(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
