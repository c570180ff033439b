package debezium

import "testing"

// Next never hands out the same T twice, across blocks; Scratch is empty.
func TestLazyOffsets(t *testing.T) {
	var l LazyOffsets[int]
	seen := map[*int]bool{}
	for i := range 600 {
		p := l.Next()
		if seen[p] || *p != 0 {
			t.Fatalf("call %d: %p handed out again or not zero (%d)", i, p, *p)
		}
		seen[p], *p = true, i+1
	}
	s := l.Scratch()
	s["x"] = 1
	if len(l.Scratch()) != 0 {
		t.Fatal("Scratch kept an entry")
	}
}
