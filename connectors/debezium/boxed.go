package debezium

import "time"

// Times holds an instant's ts_ms, ts_us and ts_ns as field values, boxed
// once for the many events that share it (the rows of one transaction or
// binlog event) instead of three allocations an event.
type Times struct {
	at         time.Time
	set        bool
	ms, us, ns any
}

// Of returns t's epoch milliseconds, microseconds and nanoseconds (from
// the microseconds, as Debezium's ts_ns), boxed again only when t changed.
func (b *Times) Of(t time.Time) (ms, us, ns any) {
	if !b.set || !b.at.Equal(t) {
		us := t.UnixMicro()
		b.at, b.set, b.ms, b.us, b.ns = t, true, t.UnixMilli(), us, us*1000
	}
	return b.ms, b.us, b.ns
}

// Boxed holds a field value boxed once while it repeats (a transaction
// id, a binlog file name).
type Boxed[T comparable] struct {
	v   T
	set bool
	box any
}

// Of returns v as a field value, boxed again only when v changed.
func (b *Boxed[T]) Of(v T) any {
	if !b.set || b.v != v {
		b.v, b.set, b.box = v, true, v
	}
	return b.box
}
