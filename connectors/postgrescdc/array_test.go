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
