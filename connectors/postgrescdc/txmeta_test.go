package postgrescdc

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/jackc/pglogrepl"
)

// A transaction read again by the next invocation (its BEGIN at 50, its
// changes at 60 and 70, its COMMIT at 90): what the committed offset holds
// decides which of its BEGIN, changes and END are written again, and the
// counts go on from the offset's.
func TestTxMetaAcrossInvocations(t *testing.T) {
	for _, tc := range []struct {
		name    string
		offset  map[string]any // the committed offset: nil, none
		skipLSN uint64         // changes at or before it are in Kafka
		want    string         // the records written: B(egin), c:<total>/<order>, E(nd):<count>
	}{
		{"nothing of it committed", nil, 0, "B c:1/1 c:2/2 E:2"},
		{"its first change committed", map[string]any{"transaction_id": "571", "transaction_data_collection_order_public.orders": int64(1)}, 60, "c:2/2 E:2"},
		{"all of it committed", map[string]any{"transaction_id": "571", "transaction_data_collection_order_public.orders": float64(2)}, 90, ""},
		{"the offset of an earlier transaction", map[string]any{"transaction_id": "570", "transaction_data_collection_order_public.other": int64(3)}, 0, "B c:1/1 c:2/2 E:2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{TopicPrefix: "p", DBName: "d", EventConfig: debezium.EventConfig{ProvideTxMeta: true, TxTopic: "transaction"}}
			tbl := &table{oid: 1, schema: "public", name: "orders", cols: []*column{{name: "id", oid: oidInt4, typmod: -1, key: true}}}
			tbl.build(&cfg)
			tk := &Task{cfg: cfg, partition: map[string]any{PartitionServer: "p"}, now: time.Now}
			if tc.offset != nil {
				tk.tx.Load(tc.offset)
			}
			s := &tk.stream
			s.skipFinal, s.skipLSN = 80, tc.skipLSN
			s.cur = &txn{xid: 571, final: 80, commitTime: time.Unix(1700000000, 0)}
			tk.txBegin(pglogrepl.XLogData{WALStart: 50})
			tk.byOID, s.rel = map[uint32]*table{1: tbl}, map[uint32][]string{1: {"id"}}
			for _, lsn := range []uint64{60, 70} {
				row := &pglogrepl.TupleData{Columns: []*pglogrepl.TupleDataColumn{{DataType: pglogrepl.TupleDataTypeText, Data: []byte(strconv.FormatUint(lsn, 10))}}}
				if err := tk.change(1, "c", 0, nil, row, pglogrepl.XLogData{WALStart: pglogrepl.LSN(lsn)}); err != nil {
					t.Fatal(err)
				}
			}
			tk.txEnd(pglogrepl.XLogData{WALStart: 90})
			if got := txSummary(t, s.cur.recs); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// txSummary is a transaction's records as B, c:<total>/<order> and E:<count>.
func txSummary(t *testing.T, recs []*connectors.Record) string {
	var out []string
	for _, r := range recs {
		v := r.Value.(*connectors.Struct)
		if r.Topic == "p.transaction" {
			status, _ := v.Get("status")
			id, _ := v.Get("id")
			if status == "BEGIN" {
				out = append(out, "B")
				if id != "571:50" {
					t.Errorf("BEGIN id %v", id)
				}
				continue
			}
			n, _ := v.Get("event_count")
			out = append(out, "E:"+itoa(n.(int64)))
			if id != "571:90" {
				t.Errorf("END id %v", id)
			}
			continue
		}
		b, _ := v.Get("transaction")
		block := b.(*connectors.Struct)
		total, _ := block.Get("total_order")
		order, _ := block.Get("data_collection_order")
		out = append(out, "c:"+itoa(total.(int64))+"/"+itoa(order.(int64)))
		if r.SourceOffset[debezium.OffsetTxID] != "571" {
			t.Errorf("offset %v", r.SourceOffset)
		}
	}
	return strings.Join(out, " ")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A BEGIN's or END's offset, which may be the last one committed, keeps the
// position of a running incremental snapshot.
func TestTxMetaOffsetKeepsIncrementalSnapshot(t *testing.T) {
	cfg := Config{TopicPrefix: "p", DBName: "d", EventConfig: debezium.EventConfig{ProvideTxMeta: true, TxTopic: "transaction"}}
	tk := &Task{cfg: cfg, partition: map[string]any{PartitionServer: "p"}, now: time.Now}
	tk.inc.queue = []string{"public.orders"}
	tk.stream.cur = &txn{xid: 7, final: 80, commitTime: time.Unix(1700000000, 0)}
	tk.txBegin(pglogrepl.XLogData{WALStart: 50})
	tk.txEnd(pglogrepl.XLogData{WALStart: 90})
	if len(tk.stream.cur.recs) != 2 {
		t.Fatalf("%d records, want BEGIN and END", len(tk.stream.cur.recs))
	}
	for _, r := range tk.stream.cur.recs {
		if _, ok := r.SourceOffset[debezium.OffsetIncrementalCollections]; !ok {
			t.Errorf("offset without the incremental snapshot: %v", r.SourceOffset)
		}
	}
}
