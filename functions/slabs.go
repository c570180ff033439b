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

// byteBlockSize is the size of the blocks a batch's keys, values and header
// values are packed into.
const byteBlockSize = 64 << 10

// bytesSlab packs byte strings into shared blocks: each string written costs
// a share of one allocation per block instead of one of its own.
type bytesSlab struct{ free []byte }

// write returns what fill appends to an empty slice, capped at its length so
// appending to it never writes into its neighbours; fill writes into the
// current block while it fits and into its own allocation when not.
func (s *bytesSlab) write(fill func(dst []byte) ([]byte, error)) ([]byte, error) {
	if len(s.free) < byteBlockSize/64 {
		s.free = make([]byte, byteBlockSize)
	}
	out, err := fill(s.free[:0])
	if err != nil {
		return nil, err
	}
	if cap(out) > 0 && &out[:1][0] == &s.free[0] { // stayed in the block
		s.free = s.free[len(out):]
	}
	return out[:len(out):len(out)], nil
}
