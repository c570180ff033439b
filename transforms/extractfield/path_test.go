package extractfield

import (
	"reflect"
	"testing"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		path, version string
		want          []string
		err           bool
	}{
		{"a.b", "V1", []string{"a.b"}, false},
		{"a.b", "V2", []string{"a", "b"}, false},
		{"a.`b.c`.d", "v2", []string{"a", "b.c", "d"}, false},
		{"`a\\`b`.c", "V2", []string{"a`b", "c"}, false},
		{"a.", "V2", []string{"a", ""}, false},
		{"`a.b", "V2", nil, true},
		{"", "V2", []string{""}, false},
	}
	for _, tt := range tests {
		got, err := ParsePath(tt.path, tt.version)
		if (err != nil) != tt.err || (!tt.err && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("ParsePath(%q, %s) = %q, %v; want %q (error %v)", tt.path, tt.version, got, err, tt.want, tt.err)
		}
	}
}
