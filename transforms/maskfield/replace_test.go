package maskfield

import (
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

func TestMaskValues(t *testing.T) {
	tests := []struct {
		in          any
		replacement *string
		want        any
		err         string
	}{
		{int16(5), nil, int16(0), ""},
		{float32(1.5), nil, float32(0), ""},
		{"secret", nil, "", ""},
		{[]any{1}, nil, []any{}, ""},
		{time.Now(), nil, time.UnixMilli(0).UTC(), ""},
		{true, nil, false, ""},
		{[]byte("x"), nil, nil, "Cannot mask value of type: class [B"},
		{int32(5), ptr("300"), int32(300), ""},
		{int8(5), ptr("300"), int8(44), ""},
		{int64(5), ptr("2.9"), int64(2), ""},
		{"s", ptr("***"), "***", ""},
		{true, ptr("x"), nil, "Cannot mask value of type class java.lang.Boolean with custom replacement."},
		{int32(1), ptr("abc"), nil, "Unable to convert abc (class java.lang.String) to INT32"},
	}
	for _, tt := range tests {
		tr := &Transform{replacement: tt.replacement}
		got, err := tr.mask(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("mask(%v) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !connectors.ValuesEqual(got, tt.want) {
			t.Errorf("mask(%v) = %v (%T), %v; want %v", tt.in, got, got, err, tt.want)
		}
	}
}

func ptr(s string) *string { return &s }
