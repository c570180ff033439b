package functions

import "testing"

// TestSlab: slices cut from a block never overlap, appending past a slice's
// capacity does not write into its neighbour, and blocks are replaced.
func TestSlab(t *testing.T) {
	var s slab[int]
	var got [][]int
	for i := range 3 * slabSize {
		n := 1 + i%3
		x := s.slice(n)
		if len(x) != 0 || cap(x) != n {
			t.Fatalf("slice(%d): len %d cap %d", n, len(x), cap(x))
		}
		for range n + 1 { // one more than fits: must reallocate
			x = append(x, i)
		}
		got = append(got, x)
	}
	for i, x := range got {
		for _, v := range x {
			if v != i {
				t.Fatalf("slice %d holds %v: overwritten by a neighbour", i, x)
			}
		}
	}
	if a, b := s.one(), s.one(); a == b {
		t.Error("one returned the same value twice")
	}
}
