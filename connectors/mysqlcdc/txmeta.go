package mysqlcdc

import (
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/go-mysql-org/go-mysql/replication"
)

// Transaction metadata (provide.transaction.metadata=true), as Debezium's
// binlog connectors write it. A transaction's id is its GTID when the
// server has them (MySQL with gtid_mode=ON: "<uuid>:<n>"; MariaDB always:
// "<domain>-<server>-<sequence>"), else "file=<binlog file>,pos=<position
// of its BEGIN>". BEGIN is written at the transaction's BEGIN (MariaDB: its
// GTID event, a DDL's standalone one too, which gets no END), END at its
// XID or COMMIT. Their ts_ms is the time of the binlog event before them,
// as Debezium's reader has it when it handles them (the previous event's,
// which the offset keeps as ts_sec across invocations).

// txRecordID is the id of the transaction beginning at pos with gtid.
func (tk *Task) txRecordID(gtid string, pos binlogPos) string {
	if gtid != "" && !strings.HasPrefix(gtid, "00000000-0000-0000-0000-000000000000:") {
		return gtid
	}
	return fmt.Sprintf("file=%s,pos=%d", pos.file, pos.pos)
}

// txBegin opens the metadata of the transaction that begins with the
// event at start, returning its BEGIN record, unless the committed offset
// already has it (the transaction is read again after a restart).
func (tk *Task) txBegin(gtid string, start uint64, h *replication.EventHeader) *connectors.Record {
	st := &tk.stream
	if !tk.cfg.ProvideTxMeta {
		return nil
	}
	at := binlogPos{file: st.file, pos: start}
	id := tk.txRecordID(gtid, at)
	if tk.tx.ID == id {
		return nil
	}
	tk.tx.Begin(id)
	if st.prevTs.IsZero() { // no event before it: its own time, as Debezium's MariaDbConnector
		st.prevTs = time.Unix(int64(h.Timestamp), 0)
	}
	rp := restartPoint{at: at, gtids: st.gtids.String(), serverID: h.ServerID, tsSec: st.prevTs.Unix()}
	return debezium.TxRecord(&tk.tx, debezium.TxBegin, id, tk.cfg.TxTopicName(tk.cfg.prefix()), st.prevTs,
		tk.partition, tk.tx.Store(tk.inc.store(rp.offset())))
}

// txEnd closes the transaction an XID or COMMIT event ends, returning its
// END record. Its offset is the position after the transaction.
func (tk *Task) txEnd(h *replication.EventHeader) *connectors.Record {
	st := &tk.stream
	if !tk.cfg.ProvideTxMeta || !tk.tx.InProgress() || st.tx == nil {
		return nil
	}
	defer tk.tx.End()
	gtids := st.gtids
	if st.gtid != "" {
		gtids = parseGTIDs(st.gtids.String())
		gtids.add(st.gtid)
	}
	rp := restartPoint{at: binlogPos{file: st.file, pos: uint64(h.LogPos)}, gtids: gtids.String(), serverID: h.ServerID, tsSec: int64(h.Timestamp)}
	return debezium.TxRecord(&tk.tx, debezium.TxEnd, tk.tx.ID, tk.cfg.TxTopicName(tk.cfg.prefix()), st.prevTs,
		tk.partition, tk.inc.store(rp.offset()))
}

// txEvents counts the change events in recs (a change, or a delete and
// its tombstone) in the open transaction, writing each one's transaction
// block and the counts into its offset.
func (tk *Task) txEvents(recs []*connectors.Record, t *table) {
	if !tk.cfg.ProvideTxMeta || !tk.tx.InProgress() {
		return
	}
	tk.tx.Stamp(recs, t.String(), tk.tx.ID)
}

// eventTime records an event's time as the time of "the event before" for
// the next one (events without a time and heartbeats do not count). The
// events a server sends when a dump starts (with no position) count only
// on the first dump after a snapshot, which is where Debezium's reader
// starts too; a later invocation goes on from the time in the offset, as
// Debezium's reader, which never stopped, would.
func (st *streamState) eventTime(h *replication.EventHeader) {
	if h.LogPos == 0 && !st.fresh {
		return
	}
	if h.Timestamp != 0 && h.EventType != replication.HEARTBEAT_EVENT {
		st.prevTs = time.Unix(int64(h.Timestamp), 0)
	}
}

// appendRecord appends r to recs when there is one.
func appendRecord(recs []*connectors.Record, r *connectors.Record) []*connectors.Record {
	if r == nil {
		return recs
	}
	return append(recs, r)
}
