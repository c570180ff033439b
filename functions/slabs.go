package functions

// slabSize is how many values a slab block holds: large enough that a
// record's share of the block's allocation is negligible, small enough that a
// few live records do not keep much memory reachable.
const slabSize = 512

// slab hands out values and short slices of T cut from shared blocks, so
// the per-record parts of a batch (Kafka records, header slices) cost one
// allocation per block instead of one each. A block stays reachable while
// any part of it is; nothing is handed out twice, unless the slab keeps its
// blocks (reuse) and is rewound: then the blocks cut since the last rewind
// are handed out again, and what was cut from them before must no longer be
// in use. Not safe for concurrent use: each pipeline (one invocation, one
// goroutine) has its own.
type slab[T any] struct {
	free  []T
	reuse bool
	// kept are the blocks cut with reuse set, next the first of them not
	// handed out again since the last rewind.
	kept [][]T
	next int
}

// slice returns an empty slice with capacity n: appending up to n values
// stays inside the block, appending more reallocates as usual.
func (s *slab[T]) slice(n int) []T {
	if n > len(s.free) {
		s.free = s.block(n)
	}
	out := s.free[:0:n]
	s.free = s.free[n:]
	return out
}

// block is a block of at least n values: a kept one not handed out since
// the last rewind when there is one, else a new one (kept with reuse set).
func (s *slab[T]) block(n int) []T {
	for s.reuse && s.next < len(s.kept) {
		b := s.kept[s.next]
		s.next++
		if len(b) >= n {
			return b
		}
	}
	b := make([]T, max(n, slabSize))
	if s.reuse {
		s.kept, s.next = append(s.kept, b), len(s.kept)+1
	}
	return b
}

// rewind makes the kept blocks free again: everything cut from them since
// the last rewind must be out of use.
func (s *slab[T]) rewind() { s.free, s.next = nil, 0 }

// one returns a pointer to a T: a zero one, or with reuse set one handed
// out before a rewind, holding what it held (its caller sets every field).
func (s *slab[T]) one() *T { return &s.slice(1)[:1][0] }

// byteBlockSize is the size of the blocks a batch's keys, values and header
// values are packed into.
const byteBlockSize = 64 << 10

// bytesSlab packs byte strings into shared blocks of byteBlockSize: each
// string written costs a share of one allocation per block instead of one
// of its own. Its blocks are slab's, so with reuse set it keeps them and a
// rewind hands them out again.
type bytesSlab struct{ slab[byte] }

// write returns what fill appends to an empty slice, capped at its length so
// appending to it never writes into its neighbours; fill writes into the
// current block while it fits and into its own allocation when not.
func (s *bytesSlab) write(fill func(dst []byte) ([]byte, error)) ([]byte, error) {
	if len(s.free) < byteBlockSize/64 {
		s.free = s.block(byteBlockSize)
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
