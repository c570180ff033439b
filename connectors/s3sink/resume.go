package s3sink

import (
	"fmt"

	"github.com/ferryhq/ferry/connectors"
)

// An invocation cannot keep an unfinished file set open: it aborts the
// uploads, holds the partition's offset back at the set's first record
// (Committable), and the next invocation writes the set again from there.
// The set's clock must not restart with it, or rotate.interval.ms with the
// Wallclock extractor (and rotate.schedule.interval.ms) would wait for
// flush.size whenever invocations are shorter than the interval. So the set
// travels with the committed offset (connectors.CommitStater): when it was
// first opened, and up to which offset earlier invocations wrote it.

// stateFormat is the committed state: "s3.opened=<epoch ms>;seen=<offset>".
const stateFormat = "s3.opened=%d;seen=%d"

// resumedSet is an open file set as earlier invocations left it.
type resumedSet struct {
	opened int64 // wall clock ms when the set was first opened
	seen   int64 // offsets below were written into the set before
}

// CommitState gives, for each partition with an unfinished file set, when
// that set was first opened and the offset after its last record.
func (t *Task) CommitState() map[connectors.TopicPartition]string {
	out := map[connectors.TopicPartition]string{}
	for tp, w := range t.tps {
		if w.count > 0 {
			out[tp] = fmt.Sprintf(stateFormat, w.openedAt, w.last+1)
		}
	}
	return out
}

// ResumeState takes the states committed with the offsets this invocation
// starts from; states it does not recognise are ignored.
func (t *Task) ResumeState(states map[connectors.TopicPartition]string) {
	t.resumed = map[connectors.TopicPartition]*resumedSet{}
	for tp, st := range states {
		var rs resumedSet
		if n, err := fmt.Sscanf(st, stateFormat, &rs.opened, &rs.seen); err == nil && n == 2 && rs.opened > 0 {
			t.resumed[tp] = &rs
		}
	}
}

// resume makes the set being opened go on with the clock of the set earlier
// invocations left, when there is one.
func (w *tpWriter) resume() {
	if w.resumed == nil {
		return
	}
	w.openedAt = min(w.openedAt, w.resumed.opened)
	if w.t.cfg.Wallclock() {
		w.base = min(w.base, w.resumed.opened)
	}
}

// rotationTime is the time rotate.interval.ms measures record r at. With
// the Wallclock extractor a record an earlier invocation already wrote into
// the resumed set counts at the set's opening: it arrived before that
// invocation ended, which did not rotate, so within the interval.
func (w *tpWriter) rotationTime(r *connectors.Record, ts int64) int64 {
	if w.resumed != nil && r.Offset < w.resumed.seen && w.t.cfg.Wallclock() {
		return w.base
	}
	return ts
}
