package mysqlcdc

import (
	"github.com/ferryhq/ferry/connectors"
)

// streamedOffset is a streamed change's offset, built into Debezium's map
// only when the runtime reads it (connectors.Record.LazyOffset): most
// changes' offsets are never committed, only the last of a batch.
type streamedOffset struct{ at restartPoint }

// BuildOffset returns the map boxedOffset would have written.
func (o *streamedOffset) BuildOffset() map[string]any { return o.at.offset() }

// lazyOffset is the lazy offset of a change streamed at rp. It is nil when
// the offset must be a map now: under transaction metadata (which counts
// into each offset), or when the incremental snapshot's or signal
// channel's position has to be written into it: then stamped holds those
// entries (store ran on them).
func (tk *Task) lazyOffset(rp restartPoint) (lazy connectors.OffsetBuilder, stamped map[string]any) {
	if tk.cfg.ProvideTxMeta {
		return nil, nil
	}
	stamps := tk.lazy.Scratch()
	tk.inc.store(stamps)
	if len(stamps) > 0 {
		return nil, stamps
	}
	o := tk.lazy.Next()
	o.at = rp
	return o, nil
}
