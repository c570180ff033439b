package functions

// slabSize is how many values a slab block holds: large enough that a
// record's share of the block's allocation is negligible, small enough that a
// few live records do not keep much memory reachable.
const slabSize = 512

// slab hands out values and short slices of T cut from shared blocks, so
// the per-record parts of a batch (Kafka records, header slices) cost one
// allocation per block instead of one each. A block stays reachable while
// any part of it is; nothing is ever handed out twice. Not safe for
// concurrent use: each pipeline (one invocation, one goroutine) has its own.
type slab[T any] struct{ free []T }

// slice returns an empty slice with capacity n: appending up to n values
// stays inside the block, appending more reallocates as usual.
func (s *slab[T]) slice(n int) []T {
	if n > len(s.free) {
		s.free = make([]T, max(n, slabSize))
	}
	out := s.free[:0:n]
	s.free = s.free[n:]
	return out
}

// one returns a pointer to a zero T.
func (s *slab[T]) one() *T { return &s.slice(1)[:1][0] }
