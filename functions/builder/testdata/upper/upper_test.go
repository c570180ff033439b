package upper_test

import (
	"testing"

	"example.com/ferry-upper"
	"github.com/ferryhq/ferry/connectors"
)

func TestUpper(t *testing.T) {
	u, err := upper.New(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		value any
		want  string
		err   bool
	}{
		{value: "hello 1", want: "HELLO 1"},
		{value: "", want: ""},
		{value: int32(7), err: true},
	} {
		in := &connectors.Record{Topic: "t", Value: tc.value}
		out, err := u.Apply(in)
		if tc.err {
			if err == nil {
				t.Errorf("Apply(%v) = %v, want an error", tc.value, out.Value)
			}
			continue
		}
		if err != nil || out.Value != tc.want || in.Value != tc.value {
			t.Errorf("Apply(%v) = %v, %v; want %q and the input unchanged", tc.value, out, err, tc.want)
		}
	}
	if _, err := upper.New(map[string]string{"locale": "fr"}); err == nil {
		t.Error("locale=fr was accepted")
	}
}
