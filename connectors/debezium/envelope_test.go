package debezium

import (
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

func TestKeyChanged(t *testing.T) {
	value := connectors.StructBuilder().Name("v").Field("a", connectors.Int32Schema).Field("b", connectors.StringSchema).
		Field("v", connectors.OptionalStringSchema).MustBuild()
	key := connectors.StructBuilder().Name("k").Field("b", connectors.StringSchema).Field("a", connectors.Int32Schema).MustBuild()
	row := func(a int32, b, v string) *connectors.Struct {
		return connectors.NewStruct(value).MustPut("a", a).MustPut("b", b).MustPut("v", v)
	}
	tb := &Table{Key: key, KeyNames: []string{"b", "a"}}
	for _, tc := range []struct {
		name          string
		before, after *connectors.Struct
		want          bool
	}{
		{"another value", row(1, "x", "one"), row(1, "x", "uno"), false},
		{"another key", row(2, "x", "two"), row(9, "x", "two"), true},
		{"no before image", nil, row(1, "x", "one"), false},
	} {
		if got := KeyChanged(tb, tc.before, tc.after); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if KeyChanged(&Table{}, row(1, "x", ""), row(2, "y", "")) {
		t.Error("a table without a key: changed")
	}
}
