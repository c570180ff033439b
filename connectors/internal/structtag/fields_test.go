package structtag

import (
	"reflect"
	"testing"
)

type (
	inner   struct{ A, B int }
	deeper  struct{ inner }
	other   struct{ B, C string }
	withPtr struct {
		*inner
		D int
	}
	plain   struct{ X, y int }
	grouped struct {
		inner
		other2 other
		E      int
		deeper
	}
	twoGroups struct {
		Kafka struct{ BootstrapServers []string }
		inner
		other
	}
	shadowed struct {
		inner
		A string
	}
	group2 struct {
		C string `config:"c"`
		D bool   `config:"d" doc:"a \"long\" text"`
	}
	groups struct { // as a config declaration embeds its groups
		inner
		group2
		deep struct{ deeper }
		Z    int `config:"z"`
	}
)

// TestVisibleFieldsAgrees: the same fields (names, index paths, types,
// tags) in the same order as reflect.VisibleFields, for plain structs,
// embedded groups, name conflicts at one depth and across depths, and
// embedding through a pointer.
func TestVisibleFieldsAgrees(t *testing.T) {
	for _, v := range []any{plain{}, grouped{}, twoGroups{}, shadowed{}, withPtr{}, deeper{}, groups{}, struct{}{}} {
		typ := reflect.TypeOf(v)
		got, want := VisibleFields(typ), reflect.VisibleFields(typ)
		if len(got) != len(want) {
			t.Fatalf("%v: %d fields, want %d", typ, len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Name != w.Name || !reflect.DeepEqual(g.Index, w.Index) || g.Type != w.Type || g.Tag != w.Tag || g.Anonymous != w.Anonymous {
				t.Errorf("%v field %d: %s %v, want %s %v", typ, i, g.Name, g.Index, w.Name, w.Index)
			}
		}
	}
}
