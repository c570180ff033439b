package regexrouter

import (
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

func TestRoute(t *testing.T) {
	tests := []struct{ regex, replacement, topic, want string }{
		{"(.*)-raw", "$1-clean", "orders-raw", "orders-clean"},
		{"(.*)-raw", "$1-clean", "orders", "orders"},
		{"([a-z]+)\\.([a-z]+)", "$2_$1x", "a.b", "b_ax"},
		{"a|ab", "X", "ab", "Xb"}, // matches() the whole topic, replaceFirst the first match
		{"(x)", "\\$1", "x", "$1"},
	}
	for _, tt := range tests {
		tr, err := New(map[string]string{"regex": tt.regex, "replacement": tt.replacement})
		if err != nil {
			t.Fatal(err)
		}
		out, _ := tr.Apply(&connectors.Record{Topic: tt.topic})
		if out.Topic != tt.want {
			t.Errorf("%s → %s on %q = %q, want %q", tt.regex, tt.replacement, tt.topic, out.Topic, tt.want)
		}
	}
	if _, err := New(map[string]string{"regex": "(a)\\1", "replacement": "x"}); err == nil {
		t.Error("a backreference (not RE2) was accepted")
	}
}
