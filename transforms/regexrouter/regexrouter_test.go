package regexrouter

import (
	"strings"
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

// TestReplacementGroupRefs checks that a replacement referring to a group
// the regex lacks is refused at configuration time, naming the key and the
// reference (regression: users_${topic.region} silently routed every record
// to a topic literally named so; Kafka Connect fails each record).
func TestReplacementGroupRefs(t *testing.T) {
	tests := []struct{ regex, replacement, err string }{
		{"(.*)", "users_${topic.region}", "refers to group ${topic.region}"},
		{"(?<region>[a-z]+)-.*", "users_${region}", ""},
		{"(.*)", "x_${region}", "refers to group ${region}"},
		{"(.*)-(.*)", "$2_$1", ""},
		{"(.*)", "$2", "refers to group $2"},
		{"(.*)", "cost$", "group index is missing"},
		{"(.*)", "a$b", "Illegal group reference"},
		{"(.*)", `a\$b`, ""},
		{"(.*)", "${x", "missing trailing '}'"},
	}
	for _, tt := range tests {
		_, err := New(map[string]string{"regex": tt.regex, "replacement": tt.replacement})
		if tt.err == "" {
			if err != nil {
				t.Errorf("%s / %s: %v", tt.regex, tt.replacement, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "configuration replacement") {
			t.Errorf("%s / %s: %v, want an error on replacement containing %q", tt.regex, tt.replacement, err, tt.err)
		}
	}
}
