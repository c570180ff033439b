package simpleheader

import (
	"context"
	"reflect"
	"testing"
)

// TestSmallIntegerAsBigDecimal: the integer fast path takes plain integers
// of up to 18 digits and gives the schema and value the BigDecimal path
// gives; everything else is left to that path.
func TestSmallIntegerAsBigDecimal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		fast bool
	}{
		{"0", true}, {"-0", true}, {"+0", true}, {"7", true}, {"+7", true}, {"-7", true}, {"007", true},
		{"127", true}, {"128", true}, {"-128", true}, {"-129", true}, {"32767", true}, {"32768", true},
		{"-32769", true}, {"2147483647", true}, {"2147483648", true}, {"-2147483649", true},
		{"999999999999999999", true}, {"-999999999999999999", true},
		{"9999999999999999999", false}, {"9223372036854775807", false}, {"+-1", false}, {"--1", false},
		{"-", false}, {"+", false}, {"1.0", false}, {"1e3", false}, {"1a", false}, {" 1", false},
	} {
		n, ok := smallInteger(tc.in)
		if ok != tc.fast {
			t.Errorf("%q: fast path %v, want %v", tc.in, ok, tc.fast)
		}
		if !ok {
			continue
		}
		d, _ := parseBigDecimal(tc.in)
		slow, isInt := integral(d)
		fs, fv, _ := integer(n)
		ss, sv, _ := integer(slow)
		if !isInt || fs != ss || !reflect.DeepEqual(fv, sv) {
			t.Errorf("%q: fast %v %#v, BigDecimal path %v %#v", tc.in, fs, fv, ss, sv)
		}
	}
}

// TestToConnectHeaderIntegersWithoutString: header bytes read as ParseString
// reads their string, and a plain integer costs no string (no allocation
// when its value boxes without one).
func TestToConnectHeaderIntegersWithoutString(t *testing.T) {
	c, err := NewHeader(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"0", "7", "-7", "+7", "127", "128", "-129", "32768", "2147483648", "-9", "999999999999999999",
		"1000000000000000000", "+-5", "-", "+", "", " 5", "5 ", "1.5", "2024-01-02", "12:30:00", "0x10", "00012", "-000"} {
		s, v, err := c.ToConnectHeader(context.Background(), "t", "h", []byte(in))
		ws, wv := ParseString(in)
		if err != nil || s != ws || !reflect.DeepEqual(v, wv) {
			t.Errorf("%q: %v %#v %v, ParseString gives %v %#v", in, s, v, err, ws, wv)
		}
	}
	data := []byte("-12")
	if n := testing.AllocsPerRun(100, func() { c.ToConnectHeader(context.Background(), "t", "h", data) }); n != 0 {
		t.Errorf("%s: %v allocations, want 0", data, n)
	}
}
