package bytearray

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

func TestFromConnect(t *testing.T) {
	cases := []struct {
		name   string
		schema *connectors.Schema
		value  any
		want   []byte
		err    string
	}{
		{"bytes", connectors.BytesSchema, []byte{0, 1, 0xFF}, []byte{0, 1, 0xFF}, ""},
		{"schemaless", nil, []byte("x"), []byte("x"), ""},
		{"null", connectors.OptionalBytesSchema, nil, nil, ""},
		{"bad schema", connectors.StringSchema, "x", nil, "Invalid schema type for ByteArrayConverter: STRING"},
		{"bad value", nil, "x", nil, "ByteArrayConverter is not compatible with objects of type class java.lang.String"},
	}
	c, _ := New(nil, false)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.FromConnect(context.Background(), "t", tc.schema, tc.value)
			if tc.err != "" {
				if !errors.Is(err, connectors.ErrData) || !strings.HasSuffix(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || string(got) != string(tc.want) {
				t.Fatalf("got %v, %v", got, err)
			}
			s, v, err := c.ToConnect(context.Background(), "t", got)
			if err != nil || s != connectors.OptionalBytesSchema || !connectors.ValuesEqual(v, tc.value) {
				t.Fatalf("read back %v %v %v", s, v, err)
			}
		})
	}
	h, _ := NewHeader(nil)
	if b, _ := h.FromConnectHeader(context.Background(), "t", "k", nil, []byte("h")); string(b) != "h" {
		t.Errorf("header = %q", b)
	}
}
