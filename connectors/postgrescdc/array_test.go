package postgrescdc

import (
	"fmt"
	"testing"
)

func TestSplitArray(t *testing.T) {
	show := func(items []*string) string {
		var out []string
		for _, it := range items {
			if it == nil {
				out = append(out, "<nil>")
			} else {
				out = append(out, fmt.Sprintf("%q", *it))
			}
		}
		return fmt.Sprint(out)
	}
	for _, tc := range []struct{ in, want string }{
		{`{}`, `[]`},
		{`{1,NULL,3}`, `["1" <nil> "3"]`},
		{`{"a b","q\"uote","back\\slash","NULL",""}`, `["a b" "q\"uote" "back\\slash" "NULL" ""]`},
		{`[0:1]={7,8}`, `["7" "8"]`},
	} {
		got, err := splitArray(tc.in)
		if err != nil || show(got) != tc.want {
			t.Errorf("%s: %s %v, want %s", tc.in, show(got), err, tc.want)
		}
	}
	for _, bad := range []string{`{{1,2},{3,4}}`, `1,2`, ``} {
		if _, err := splitArray(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// Bit strings as Debezium's Bits (TestDebeziumOraclePostgres): little-endian,
// as few bytes as hold the number, none for zero.
func TestParseBits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []byte
	}{{"", []byte{}}, {"000000000000", []byte{}}, {"101", []byte{5}}, {"101000000001", []byte{0x01, 0x0a}}, {"111111111111", []byte{0xff, 0x0f}}} {
		got, err := parseBits(tc.in)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q: %v %v, want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := parseBits("12"); err == nil {
		t.Error("12: no error")
	}
}
