package postgrescdc

import (
	"maps"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// A streamed change's offset is built when read, and is the map the eager
// path writes (with ferry_tx_end once the transaction commits); a delete's
// tombstone reads the same. A snapshot read and a change under transaction
// metadata keep their map.
func TestStreamedOffsetIsTheMap(t *testing.T) {
	cfg := Config{TopicPrefix: "p", DBName: "db", Tombstones: true, DecimalHandling: "precise", TimePrecision: "adaptive"}
	tbl := &table{oid: 1, schema: "public", name: "t", cols: []*column{{name: "id", oid: oidInt4, typmod: -1, key: true}}}
	tbl.build(&cfg)
	at := time.Date(2026, 12, 5, 21, 0, 0, 0, time.UTC)
	tk := &Task{cfg: cfg, partition: map[string]any{PartitionServer: "p"}, now: func() time.Time { return at }}
	row, err := tbl.row(map[string]*string{"id": new("1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := position{lsn: 24023128, commitLSN: 24023200, lastCommit: 24023119, xid: 555, commitTime: at}
	recs := tk.events(nil, tbl, "d", row, nil, p)
	if len(recs) != 2 {
		t.Fatalf("%d records, want the delete and its tombstone", len(recs))
	}
	want := tk.offset(p)
	for _, r := range recs {
		if r.SourceOffset != nil || r.LazyOffset == nil {
			t.Fatalf("streamed change with offset %v, lazy %v", r.SourceOffset, r.LazyOffset)
		}
		if got := r.SourceOffsetMap(); !maps.Equal(got, want) {
			t.Errorf("offset %v, want %v", got, want)
		}
	}
	recs[0].LazyOffset.(*streamedOffset).txEnd = int64(24023300) // as the commit sets it
	want[OffsetTxEnd] = int64(24023300)
	for _, r := range recs {
		if got := r.SourceOffsetMap(); !maps.Equal(got, want) {
			t.Errorf("offset after the commit %v, want %v", got, want)
		}
	}
	if src := recs[0].Value.(*connectors.Struct).At(2).(*connectors.Struct); src.At(srcLSN) != int64(24023128) {
		t.Errorf("source.lsn %v", src.At(srcLSN))
	}
	snap := p
	snap.snapshot = "true"
	if r := tk.events(nil, tbl, "r", nil, row, snap)[0]; r.SourceOffset == nil {
		t.Error("snapshot read without its offset map")
	}
	tk.cfg.ProvideTxMeta = true
	if r := tk.events(nil, tbl, "c", nil, row, p)[0]; r.SourceOffset == nil {
		t.Error("change under transaction metadata without its offset map")
	}
}
