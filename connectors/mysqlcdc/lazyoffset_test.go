package mysqlcdc

import (
	"maps"
	"testing"
)

// A streamed change's lazy offset builds the map boxedOffset writes; under
// transaction metadata, or with a running incremental snapshot whose
// position goes into every offset, the offset stays a map.
func TestStreamedOffsetIsTheMap(t *testing.T) {
	tk := &Task{}
	var b sourceBoxes
	for i := range 300 { // past one block of offsets
		rp := restartPoint{at: binlogPos{file: "bin.000001", pos: uint64(4 + i/40)}, gtids: "0-1-5", events: int64(i / 40), rows: int64(i%40 + 1), serverID: 1, tsSec: 100}
		lazy, stamped := tk.lazyOffset(rp)
		if lazy == nil || stamped != nil {
			t.Fatalf("lazyOffset(%+v) = %v, %v", rp, lazy, stamped)
		}
		if got, want := lazy.BuildOffset(), rp.boxedOffset(&b); !maps.Equal(got, want) {
			t.Fatalf("offset %v, want %v", got, want)
		}
	}
	rp := restartPoint{at: binlogPos{file: "bin.000001", pos: 4}, rows: 1}
	tk.inc.queue = []string{"db.t"}
	if lazy, stamped := tk.lazyOffset(rp); lazy != nil || len(stamped) == 0 {
		t.Errorf("running incremental snapshot: lazy %v, stamped %v", lazy, stamped)
	}
	tk.inc.queue = nil
	tk.cfg.ProvideTxMeta = true
	if lazy, stamped := tk.lazyOffset(rp); lazy != nil || stamped != nil {
		t.Errorf("transaction metadata: lazy %v, stamped %v", lazy, stamped)
	}
}
