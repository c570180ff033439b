package debezium

import (
	"slices"
	"unicode/utf16"
)

// Debezium keeps a transaction's per-table counts in a java.util.HashMap
// and writes an END's data_collections in its iteration order: by bucket
// (the spread String.hashCode masked by the table size), then in insertion
// order within a bucket. The table starts at 16 buckets and doubles when it
// is more than three quarters full; clear() between transactions keeps its
// size. Buckets of eight or more keys (a tree in Java) are not modelled.

// javaHashSlots is the table size after a map whose table had cur buckets
// (0: new) grows to size keys.
func javaHashSlots(cur, size int) int {
	if cur < 16 {
		cur = 16
	}
	for size > cur*3/4 {
		cur *= 2
	}
	return cur
}

// javaStringHash is Java's String.hashCode over the UTF-16 code units.
func javaStringHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}

// javaBucket is HashMap's bucket of key in a table of slots buckets.
func javaBucket(key string, slots int) int {
	h := uint32(javaStringHash(key))
	return int((h ^ h>>16) & uint32(slots-1))
}

// javaHashOrder is the iteration order of a HashMap of slots buckets
// holding keys, inserted in the order given.
func javaHashOrder(keys []string, slots int) []string {
	out := slices.Clone(keys)
	slices.SortStableFunc(out, func(a, b string) int { return javaBucket(a, slots) - javaBucket(b, slots) })
	return out
}
