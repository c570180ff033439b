package postgrescdc

import "github.com/ferryhq/ferry/connectors"

// streamedOffset is a streamed change's offset, built into Debezium's map
// only when the runtime reads it (connectors.Record.LazyOffset): most
// changes' offsets are never committed, only the last of a batch.
type streamedOffset struct {
	p     position
	txEnd any // ferry_tx_end, set when the transaction commits
}

// BuildOffset returns the map offset and the commit would have written.
func (o *streamedOffset) BuildOffset() map[string]any {
	var b boxes
	off := offsetAt(&b, o.p)
	if o.txEnd != nil {
		off[OffsetTxEnd] = o.txEnd
	}
	return off
}

// lazyOffset is the lazy offset of a change streamed at p. It is nil when
// the offset must be a map now: a snapshot read or transaction metadata
// (which counts into each offset), or when the incremental snapshot's or
// signal channel's position has to be written into it: then stamped holds
// those entries (stamp ran), else stamp is still to run.
func (tk *Task) lazyOffset(p position) (lazy connectors.OffsetBuilder, stamped map[string]any) {
	if p.snapshot != "" || tk.cfg.ProvideTxMeta {
		return nil, nil
	}
	stamps := tk.lazy.Scratch()
	tk.inc.stamp(stamps)
	if len(stamps) > 0 {
		return nil, stamps
	}
	o := tk.lazy.Next()
	o.p = p
	return o, nil
}
