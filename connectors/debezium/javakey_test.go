package debezium

import (
	"reflect"
	"testing"
)

func TestKeyCodec(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  []any
		hex  string // "" : round trip only
	}{
		// Debezium 3 wrote this for an INT key of 100 (ObjectOutputStream of Object[]{100}).
		{"integer", []any{int32(100)}, "aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001" +
			"737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b020000787000000064"},
		{"two integers share the class descriptor", []any{int32(1), int32(-2)}, ""},
		{"long and integer share Number", []any{int64(1) << 40, int32(7), int64(-1)}, ""},
		{"strings", []any{"a'b", "é", "a'b"}, ""},
		{"short, byte, null", []any{int16(-3), int8(4), nil}, ""},
		{"empty", []any{}, ""},
		{"null", nil, "aced000570"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := EncodeKey(tc.key)
			if tc.hex != "" && s != tc.hex {
				t.Fatalf("EncodeKey = %s\nwant        %s", s, tc.hex)
			}
			got, err := DecodeKey(s)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.key) {
				t.Fatalf("DecodeKey(EncodeKey(%v)) = %#v", tc.key, got)
			}
		})
	}
}

func TestDecodeKeyRejects(t *testing.T) {
	for _, s := range []string{"zz", "aced0005", "aced00057071", "00000000"} {
		if _, err := DecodeKey(s); err == nil {
			t.Errorf("DecodeKey(%q) = nil error", s)
		}
	}
	for _, s := range []string{"", "aced000570"} {
		if k, err := DecodeKey(s); k != nil || err != nil {
			t.Errorf("DecodeKey(%q) = %v, %v", s, k, err)
		}
	}
}
