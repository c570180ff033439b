package redis

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/state"
)

// parseMembers reads the script's name, milliseconds pairs and refuses a
// reply of any other shape, naming what it got.
func TestParseMembers(t *testing.T) {
	cases := []struct {
		name    string
		reply   []any
		want    []state.Member
		wantErr string
	}{
		{"empty", []any{}, []state.Member{}, ""},
		{"pairs", []any{"a", int64(9000), "b", int64(1)}, []state.Member{{Name: "a", Left: 9 * time.Second}, {Name: "b", Left: time.Millisecond}}, ""},
		{"odd length", []any{"a", int64(9000), "b"}, nil, "a reply of 3 items"},
		{"name not a string", []any{int64(1), int64(9000)}, nil, "item 0 is int64, int64"},
		{"left not a number", []any{"a", "9000"}, nil, "item 0 is string, string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseMembers(tc.reply)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseMembers(%v) = %v, %v; want an error containing %q", tc.reply, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("parseMembers(%v) = %v, %v; want %v", tc.reply, got, err, tc.want)
			}
		})
	}
}
