package postgrescdc

import (
	"strconv"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/jackc/pglogrepl"
)

// Transaction metadata (provide.transaction.metadata=true), as Debezium's
// PostgresTransactionMonitor: the transaction's id is its xid, written as
// "<xid>:<lsn>" with the LSN of the message it is written for (BEGIN's,
// the change's, COMMIT's). The transaction in progress and its counts are
// in every change's offset (transaction_id, transaction_data_collection_order_<schema.table>),
// so a transaction read again by the next invocation goes on counting
// where the last committed record left it, without a second BEGIN.

// txID is the displayed transaction id of a message at lsn.
func txID(xid string, lsn uint64) string { return xid + ":" + strconv.FormatUint(lsn, 10) }

// txBegin opens the metadata of the transaction BEGIN x starts and adds
// its BEGIN record to it, unless the committed offset already has it.
func (tk *Task) txBegin(x pglogrepl.XLogData) {
	s := &tk.stream
	if !tk.cfg.ProvideTxMeta || s.cur == nil {
		return
	}
	id := strconv.FormatUint(uint64(s.cur.xid), 10)
	if tk.tx.ID == id {
		return // restored from the offset: its BEGIN is in Kafka
	}
	tk.tx.Begin(id)
	p := position{lsn: uint64(x.WALStart), commitLSN: s.cur.final, lastCommit: s.lastFinal, xid: s.cur.xid, commitTime: s.cur.commitTime}
	s.cur.recs = append(s.cur.recs, debezium.TxRecord(&tk.tx, debezium.TxBegin, txID(id, p.lsn),
		tk.cfg.TxTopicName(tk.cfg.TopicPrefix), p.commitTime, tk.partition, tk.txOffset(p)))
}

// txOffset is the offset of a BEGIN or END at p: the event offset with the
// incremental snapshot's position and the transaction's counts, so that
// committing it loses neither.
func (tk *Task) txOffset(p position) map[string]any {
	off := tk.offset(p)
	tk.inc.stamp(off)
	return tk.tx.Store(off)
}

// txEnd adds the END record of the transaction COMMIT x ends, unless it
// is in Kafka already (the committed offset is at or after it).
func (tk *Task) txEnd(x pglogrepl.XLogData) {
	s := &tk.stream
	if !tk.cfg.ProvideTxMeta || s.cur == nil {
		return
	}
	defer tk.tx.End()
	lsn := uint64(x.WALStart)
	if !tk.tx.InProgress() || s.cur.final == s.skipFinal && lsn <= s.skipLSN {
		return
	}
	p := position{lsn: lsn, commitLSN: s.cur.final, lastCommit: s.lastFinal, xid: s.cur.xid, commitTime: s.cur.commitTime}
	s.cur.recs = append(s.cur.recs, debezium.TxRecord(&tk.tx, debezium.TxEnd, txID(tk.tx.ID, lsn),
		tk.cfg.TxTopicName(tk.cfg.TopicPrefix), p.commitTime, tk.partition, tk.txOffset(p)))
}

// txEvents counts the change events in recs (a change, or a delete and
// its tombstone) in the transaction, writing each one's transaction block
// and the counts into its offset.
func (tk *Task) txEvents(recs []*connectors.Record, t *table, p position) {
	if !tk.cfg.ProvideTxMeta || !tk.tx.InProgress() {
		return
	}
	tk.tx.Stamp(recs, t.schema+"."+t.name, txID(tk.tx.ID, p.lsn))
}
