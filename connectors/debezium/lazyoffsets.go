package debezium

// LazyOffsets serves a connector's lazy offsets (connectors.Record.LazyOffset)
// of type T: a scratch map to find out whether an event's offset must be a
// map now (something would be stamped into it), and the lazy offsets
// themselves cut from blocks, so an event's costs no allocation.
type LazyOffsets[T any] struct {
	scratch map[string]any
	block   []T
}

// Scratch returns an empty map for the entries an event's offset would be
// stamped with; it is the same map each call.
func (l *LazyOffsets[T]) Scratch() map[string]any {
	if l.scratch == nil {
		l.scratch = map[string]any{}
	}
	clear(l.scratch)
	return l.scratch
}

// Next returns a zero T no other call returned.
func (l *LazyOffsets[T]) Next() *T {
	if len(l.block) == 0 {
		l.block = make([]T, 256)
	}
	o := &l.block[0]
	l.block = l.block[1:]
	return o
}
