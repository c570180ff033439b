package mysqlcdc

import (
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/go-mysql-org/go-mysql/replication"
)

// handle applies one binlog event; it returns the records of a transaction
// it commits.
func (tk *Task) handle(ev *replication.BinlogEvent) ([]*connectors.Record, error) {
	st := &tk.stream
	h := ev.Header
	start := uint64(h.LogPos) - uint64(h.EventSize)
	if h.LogPos != 0 {
		st.lastEnd = uint64(h.LogPos)
	}
	defer st.eventTime(h)
	switch e := ev.Event.(type) {
	case *replication.RotateEvent:
		st.file, st.lastEnd = string(e.NextLogName), e.Position
		st.tables, st.signals = map[uint64]*table{}, map[uint64]bool{}
		return nil, nil
	case *replication.MariadbGTIDEvent:
		st.gtid = e.GTID.String()
		st.ignoreDML = !st.dmlFilter.keep(gtidSource(st.gtid))
		begin := tk.txBegin(st.gtid, start, h)
		if !e.IsStandalone() {
			tk.begin(start, -1)
			st.tx.recs = appendRecord(st.tx.recs, begin)
			return nil, nil
		}
		return appendRecord(nil, begin), nil // as Debezium's MariaDbConnector: a DDL's BEGIN, without END
	case *replication.GTIDEvent:
		if next, err := e.GTIDNext(); err == nil {
			st.gtid = next.String()
		}
		st.ignoreDML = !st.dmlFilter.keep(gtidSource(st.gtid))
		return nil, nil
	case *replication.QueryEvent:
		return tk.query(e, h, start)
	case *replication.TableMapEvent:
		tk.count()
		return nil, tk.mapTable(e)
	case *replication.RowsEvent:
		recs, err := tk.rows(e, h, start)
		tk.count()
		return recs, err
	case *replication.XIDEvent:
		end := tk.txEnd(h)
		return appendRecord(tk.commit(), end), nil
	case *replication.MariadbAnnotateRowsEvent:
		tk.count()
		tk.annotate(string(e.Query))
		return nil, nil
	case *replication.RowsQueryEvent:
		tk.count()
		tk.annotate(string(e.Query))
		return nil, nil
	case *replication.TransactionPayloadEvent:
		return tk.payload(e, h)
	}
	tk.count()
	return nil, nil
}

// payload handles a compressed transaction (MySQL 8's
// binlog_transaction_compression): its events are handled in order, each at
// the payload's position, so a restart reads the payload again and skips
// the events already written.
func (tk *Task) payload(e *replication.TransactionPayloadEvent, h *replication.EventHeader) ([]*connectors.Record, error) {
	var out []*connectors.Record
	for _, inner := range e.Events {
		hdr := *inner.Header
		hdr.LogPos, hdr.EventSize = h.LogPos, h.EventSize
		recs, err := tk.handle(&replication.BinlogEvent{Header: &hdr, Event: inner.Event})
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// count records that one more event of the open transaction is processed.
func (tk *Task) count() {
	if tx := tk.stream.tx; tx != nil {
		tx.events++
	}
}

// begin opens a transaction whose first event starts at pos.
func (tk *Task) begin(pos uint64, thread int64) {
	st := &tk.stream
	st.tx = &txState{begin: restartPoint{at: binlogPos{file: st.file, pos: pos}, gtids: st.gtids.String()}, gtid: st.gtid, thread: thread, events: 1}
}

// commit closes the open transaction and returns its records.
func (tk *Task) commit() []*connectors.Record {
	st := &tk.stream
	tx := st.tx
	st.tx = nil
	if st.gtid != "" {
		st.gtids.add(st.gtid)
		st.gtid = ""
	}
	st.skipping, st.query = false, ""
	if tx == nil {
		return tk.closeWindow()
	}
	return append(tx.recs, tk.closeWindow()...)
}

var txControl = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^\s*(BEGIN|COMMIT|XA |SAVEPOINT|ROLLBACK)`) })

// query handles BEGIN, COMMIT and DDL.
func (tk *Task) query(e *replication.QueryEvent, h *replication.EventHeader, start uint64) ([]*connectors.Record, error) {
	st := &tk.stream
	q := strings.TrimSpace(string(e.Query))
	switch {
	case strings.EqualFold(q, "BEGIN"):
		if st.tx == nil {
			begin := tk.txBegin(st.gtid, start, h)
			tk.begin(start, int64(e.SlaveProxyID))
			st.tx.recs = appendRecord(st.tx.recs, begin)
		} else {
			st.tx.thread = int64(e.SlaveProxyID)
			st.tx.events++
		}
		return nil, nil
	case strings.EqualFold(q, "COMMIT"):
		end := tk.txEnd(h)
		return appendRecord(tk.commit(), end), nil
	case txControl().MatchString(q):
		tk.count()
		return nil, nil
	}
	if verb, _ := ddlTargets(string(e.Schema), q); verb == "" {
		// Not DDL: a statement a row-format binlog logs as text (or the
		// dummy event MariaDB sends a MySQL-flavoured reader in place of
		// an annotation); it neither ends nor starts a transaction.
		tk.count()
		return nil, nil
	}
	recs, err := tk.ddl(string(e.Schema), q, h, start)
	if st.tx == nil || st.tx.events <= 1 { // DDL commits on its own
		recs = append(tk.commit(), recs...)
	}
	return recs, err
}

// mapTable binds a binlog table id to its captured table, reloading the
// table's definition when the binlog's column count differs from it.
func (tk *Task) mapTable(e *replication.TableMapEvent) error {
	st := &tk.stream
	db, name := string(e.Schema), string(e.Table)
	if tk.cfg.SignalTable != "" && strings.EqualFold(db+"."+name, tk.cfg.SignalTable) {
		st.signals[e.TableID] = true
	}
	t := tk.byName[db+"."+name]
	if t == nil {
		if !newFilter(&tk.cfg).table(db, name) {
			st.tables[e.TableID] = nil
			return nil
		}
		t = &table{db: db, name: name}
		if err := loadColumns(tk.conn, t, &tk.cfg, tk.fl, tk.src); err != nil {
			return tk.failOrWarn(err)
		}
		tk.tables = append(tk.tables, t)
		tk.byName[t.String()] = t
	}
	if s := tk.shaped(t, e); s != t {
		st.tables[e.TableID] = s
		return nil
	}
	if int(e.ColumnCount) != len(t.cols) {
		if err := loadColumns(tk.conn, t, &tk.cfg, tk.fl, tk.src); err != nil {
			return tk.failOrWarn(err)
		}
		if int(e.ColumnCount) != len(t.cols) {
			return tk.failOrWarn(fmt.Errorf("%w %s: the binlog row has %d columns, the table now has %d; set schema.history.internal.kafka.topic so ferry keeps the definitions the binlog was written with",
				ErrTable, t, e.ColumnCount, len(t.cols)))
		}
	}
	st.tables[e.TableID] = t
	return nil
}

// rows turns a rows event into change events held by the open transaction.
func (tk *Task) rows(e *replication.RowsEvent, h *replication.EventHeader, start uint64) ([]*connectors.Record, error) {
	st := &tk.stream
	t := st.tables[e.TableID]
	if st.signals[e.TableID] && !(st.skipping && st.tx != nil && st.tx.events < st.skip.events) {
		tk.signalRows(e, binlogPos{file: st.file, pos: start}, h.ServerID)
		if t == nil && st.tx == nil { // a non-transactional signalling table
			return tk.commit(), nil
		}
	}
	if t == nil || st.ignoreDML {
		return nil, nil
	}
	autocommit := st.tx == nil
	if autocommit { // a non-transactional engine's statement without BEGIN
		tk.begin(start, -1)
	}
	tx := st.tx
	index := tx.events
	first := 0
	if st.skipping && index < st.skip.events {
		return nil, nil
	}
	if st.skipping && index == st.skip.events {
		first = int(st.skip.rows)
	}
	op, step := debezium.OpCreate, 1
	switch e.Type() {
	case replication.EnumRowsEventTypeUpdate:
		op, step = debezium.OpUpdate, 2
	case replication.EnumRowsEventTypeDelete:
		op = debezium.OpDelete
	}
	n := len(e.Rows) / step
	when := time.Unix(int64(h.Timestamp), 0)
	for i := first; i < n; i++ {
		var before, after *connectors.Struct
		var err error
		switch op {
		case debezium.OpCreate:
			after, err = t.row(e.Rows[i])
		case debezium.OpDelete:
			before, err = t.row(e.Rows[i])
		default:
			if before, err = t.row(e.Rows[2*i]); err == nil {
				after, err = t.row(e.Rows[2*i+1])
			}
		}
		if err != nil {
			if err := tk.failOrWarn(err); err != nil {
				return nil, err
			}
			continue
		}
		if tk.inc.win.Pending() && tk.inc.queue[0] == t.String() {
			tk.inc.win.Changed(keyID(t, before))
			tk.inc.win.Changed(keyID(t, after))
		}
		rp := tx.begin
		rp.events, rp.rows, rp.serverID, rp.tsSec = index, int64(i+1), h.ServerID, when.Unix()
		si := sourceInfo{db: t.db, table: t.name, when: when, serverID: h.ServerID, gtid: tx.gtid,
			at: binlogPos{file: st.file, pos: start}, row: i, thread: tx.thread, query: st.query}
		n := len(tx.recs)
		tx.recs = tk.change(tx.recs, t, op, before, after, si, rp)
		tk.txEvents(tx.recs[n:], t)
	}
	if autocommit {
		tk.count()
		return tk.commit(), nil
	}
	return nil, nil
}

// change appends to dst the change event (and tombstone) of one row.
func (tk *Task) change(dst []*connectors.Record, t *table, op string, before, after *connectors.Struct, si sourceInfo, rp restartPoint) []*connectors.Record {
	change := debezium.Change{Op: op, Before: before, After: after, Source: tk.source(si),
		Ts: tk.clock(), Partition: tk.partition, Tombstone: tk.cfg.Tombstones}
	switch lazy, stamped := tk.lazyOffset(rp); {
	case lazy != nil:
		change.LazyOffset = lazy
	case stamped != nil:
		change.Offset = rp.boxedOffset(&tk.boxed)
		maps.Copy(change.Offset, stamped)
	default:
		change.Offset = tk.inc.store(rp.boxedOffset(&tk.boxed))
	}
	if op != debezium.OpUpdate || !debezium.KeyChanged(&t.dbz, before, after) {
		return debezium.AppendEvent(dst, &t.dbz, change)
	}
	// As Debezium: a primary key change is a delete of the old key (and its
	// tombstone) and a create of the new one.
	del := change
	del.Op, del.After = debezium.OpDelete, nil
	change.Op, change.Before = debezium.OpCreate, nil
	return debezium.AppendEvent(debezium.AppendEvent(dst, &t.dbz, del), &t.dbz, change)
}

func warnEvent(err error) {
	slog.Warn("mysql cdc: event skipped (event.processing.failure.handling.mode=warn)", "error", err)
}
