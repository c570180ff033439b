package stringconv

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

func TestFromConnect(t *testing.T) {
	st := connectors.StructBuilder().Field("a", connectors.Int32Schema).MustBuild()
	cases := []struct {
		name  string
		enc   string
		value any
		want  []byte
	}{
		{"string", "", "héllo", []byte("héllo")},
		{"null", "", nil, nil},
		{"int", "", int32(-7), []byte("-7")},
		{"double", "", 1.0, []byte("1.0")},
		{"float", "", float32(1e10), []byte("1.0E10")},
		{"bool", "", true, []byte("true")},
		{"decimal", "", connectors.Decimal{Unscaled: big.NewInt(150), Scale: 2}, []byte("1.50")},
		{"struct", "", connectors.NewStruct(st).MustPut("a", int32(1)), []byte("Struct{a=1}")},
		{"list", "", []any{int32(1), "b", nil}, []byte("[1, b, null]")},
		{"map", "", map[string]any{"b": int32(2), "a": int32(1)}, []byte("{a=1, b=2}")},
		{"latin1", "ISO-8859-1", "é€", []byte{0xE9, '?'}},
		{"ascii", "US-ASCII", "aé", []byte("a?")},
		{"utf16be", "UTF-16BE", "a", []byte{0, 'a'}},
		{"utf16", "UTF-16", "a", []byte{0xFE, 0xFF, 0, 'a'}},
		{"utf16le", "utf-16le", "a", []byte{'a', 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]string{}
			if tc.enc != "" {
				props["converter.encoding"] = tc.enc
			}
			c, err := New(props, false)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.FromConnect(context.Background(), "t", nil, tc.value)
			if err != nil || string(got) != string(tc.want) || (got == nil) != (tc.want == nil) {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for _, enc := range []string{"UTF-8", "UTF-16", "UTF-16LE", "UTF-16BE"} {
		c, err := NewHeader(map[string]string{"converter.encoding": enc})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"", "plain", "ünïcödé ☃ 😀"} {
			b, _ := c.FromConnectHeader(context.Background(), "t", "k", connectors.StringSchema, s)
			schema, v, err := c.ToConnectHeader(context.Background(), "t", "k", b)
			if err != nil || schema != connectors.OptionalStringSchema || v != s {
				t.Errorf("%s %q: got %v %q %v", enc, s, schema, v, err)
			}
		}
	}
	c, _ := New(nil, true)
	if s, v, _ := c.ToConnect(context.Background(), "t", nil); s != connectors.OptionalStringSchema || v != nil {
		t.Errorf("null read = %v %v", s, v)
	}
}

func TestBadEncoding(t *testing.T) {
	_, err := New(map[string]string{"converter.encoding": "EBCDIC"}, false)
	var ces connectors.ConfigErrors
	if !errors.As(err, &ces) || ces[0].Key != "converter.encoding" || ces[0].Value != "EBCDIC" {
		t.Fatalf("err = %v", err)
	}
}
