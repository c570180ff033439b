package debezium

import (
	"reflect"
	"testing"
)

// A blocking request keeps the captured, keyed tables it names, with their
// conditions, and goes through the offset and back.
func TestBlocking(t *testing.T) {
	req, err := ParseSnapshotRequest(`{"data-collections": ["db\\.[ab]", "DB.C"], "type": "blocking",
		"additional-conditions": [{"data-collection": "db.b", "filter": "id > 2"}]}`)
	if err != nil || req.Type != SnapshotBlocking {
		t.Fatalf("%+v %v", req, err)
	}
	keyed := func(n string) bool { return n != "db.a" }
	b := NewBlocking("srv", "s1", req, []string{"db.a", "db.b", "db.c", "db.d"}, keyed)
	if b == nil || !reflect.DeepEqual(b.Tables, []string{"db.b", "db.c"}) || b.Condition() != "id > 2" {
		t.Fatalf("%+v", b)
	}
	b.After, b.Emitted = []string{"7"}, true
	back, err := DecodeBlocking(map[string]any{OffsetBlocking: b.Encode()})
	if err != nil || !reflect.DeepEqual(back, b) {
		t.Fatalf("%+v %v from %s", back, err, b.Encode())
	}
	if b.Next(); !reflect.DeepEqual(b.Tables, []string{"db.c"}) || b.After != nil || b.Condition() != "" {
		t.Fatalf("after Next: %+v", b)
	}
	if NewBlocking("srv", "s2", req, []string{"db.a", "x.y"}, keyed) != nil {
		t.Fatal("a blocking snapshot of no keyed table")
	}
	if none, err := DecodeBlocking(map[string]any{}); none != nil || err != nil {
		t.Fatalf("no snapshot in the offset: %+v %v", none, err)
	}
	if _, err := DecodeBlocking(map[string]any{OffsetBlocking: "{"}); err == nil {
		t.Fatal("a bad offset decoded")
	}
}
