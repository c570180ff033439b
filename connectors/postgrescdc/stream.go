package postgrescdc

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// txn is the transaction being decoded.
type txn struct {
	xid        uint32
	final      uint64 // commit LSN
	commitTime time.Time
	recs       []*connectors.Record
}

// streamState is the replication stream of one invocation.
type streamState struct {
	conn      *pgconn.PgConn
	start     uint64 // LSN streaming starts from (and first confirms)
	skipFinal uint64 // events of the transaction committing here ...
	skipLSN   uint64 // ... at or before this LSN are already in Kafka
	confirmed uint64 // the last flush LSN sent to the slot
	pending   uint64 // end LSN of the last transaction decoded
	safe      uint64 // end LSN up to which every change was returned by Poll
	lastFinal uint64 // end LSN of the last transaction decoded: source.sequence's first element
	resumeEnd uint64 // end LSN of the committed offset's transaction, until the first BEGIN
	cur       *txn
	ready     []*connectors.Record
	rel       map[uint32][]string // relation id -> column names in tuple order
	walEnd    uint64              // last keepalive position
	target    uint64              // the server's flushed WAL when streaming started
	seen      uint64              // how far the server has decoded, as its messages show
	rows      rowDecoder          // Insert, Update and Delete messages
	layouts   map[uint32]*tupleLayout
	starts    []int // tupleRow's scratch: where each column's text starts
	// heartbeatSent: this invocation wrote its heartbeat.
	heartbeatSent bool
}

// startStream opens the replication connection, starts streaming at the
// committed position and confirms it to the slot: WAL before it is released.
func (tk *Task) startStream(ctx context.Context) error {
	cfg, err := pgconn.ParseConfig(tk.cfg.connString(true))
	if err == nil {
		err = tk.cfg.withClientCert(cfg)
	}
	if err != nil {
		if tlsErr := tk.cfg.describeTLS(err); tlsErr != nil {
			return tlsErr
		}
		return fmt.Errorf("postgres cdc: %w", err)
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return tk.cfg.describeConnect(err)
	}
	s := &tk.stream
	s.conn, s.rel = conn, map[uint32][]string{}
	var target string
	if err := tk.conn.QueryRow(ctx, "SELECT pg_current_wal_flush_lsn()::text").Scan(&target); err != nil {
		return fmt.Errorf("postgres cdc: reading the WAL position: %w", err)
	}
	if s.target, err = parseLSN(target); err != nil {
		return err
	}
	args := []string{"proto_version '1'", "publication_names '" + tk.cfg.Publication + "'"}
	if err := pglogrepl.StartReplication(ctx, conn, tk.cfg.SlotName, pglogrepl.LSN(s.start),
		pglogrepl.StartReplicationOptions{PluginArgs: args}); err != nil {
		return tk.cfg.describeStream(err)
	}
	return tk.confirm(ctx, s.start)
}

// confirmSync confirms lsn and waits (up to a second) for the server's
// answer, which it sends only after recording the position in the slot.
func (tk *Task) confirmSync(ctx context.Context, lsn uint64) error {
	s := &tk.stream
	if s.conn == nil || lsn == 0 {
		return nil
	}
	s.confirmed = max(s.confirmed, lsn)
	if err := tk.ping(ctx); err != nil {
		return err
	}
	wait, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	for {
		msg, err := s.conn.ReceiveMessage(wait)
		if err != nil {
			return nil // the position is sent; the answer is a courtesy
		}
		if cd, ok := msg.(*pgproto3.CopyData); ok && len(cd.Data) > 0 && cd.Data[0] == pglogrepl.PrimaryKeepaliveMessageByteID {
			return nil
		}
	}
}

// ping sends the confirmed position asking for an immediate reply: the
// server answers with a keepalive carrying how far it has decoded.
func (tk *Task) ping(ctx context.Context) error {
	s := &tk.stream
	err := pglogrepl.SendStandbyStatusUpdate(ctx, s.conn, pglogrepl.StandbyStatusUpdate{
		WALWritePosition: pglogrepl.LSN(max(s.confirmed, 1)), ReplyRequested: true})
	if err != nil {
		return fmt.Errorf("status update to slot %q: %w", tk.cfg.SlotName, err)
	}
	return nil
}

// confirm tells the slot that everything before lsn is durable.
func (tk *Task) confirm(ctx context.Context, lsn uint64) error {
	s := &tk.stream
	if s.conn == nil || lsn == 0 {
		return nil
	}
	s.confirmed = max(s.confirmed, lsn)
	err := pglogrepl.SendStandbyStatusUpdate(ctx, s.conn, pglogrepl.StandbyStatusUpdate{WALWritePosition: pglogrepl.LSN(s.confirmed)})
	if err != nil {
		return fmt.Errorf("confirming LSN %s to slot %q: %w", pglogrepl.LSN(s.confirmed), tk.cfg.SlotName, err)
	}
	return nil
}

// readyWait is how long a poll holding ready changes waits for the next
// message before returning them.
const readyWait = 5 * time.Millisecond

// streamPoll decodes whole transactions until max.batch.size changes are
// ready, or some are ready and no message follows within readyWait, or none
// arrived within poll.interval.ms once the server has decoded past the WAL
// written before streaming started (so "nothing" means nothing committed).
func (tk *Task) streamPoll(ctx context.Context) ([]*connectors.Record, error) {
	s := &tk.stream
	idle := time.Duration(max(tk.cfg.PollIntervalMs, 50)) * time.Millisecond
	dl := newPollDeadline(ctx, s.conn)
	defer dl.release()
	for len(s.ready) < tk.cfg.MaxBatchSize {
		if err := tk.nextChunk(ctx); err != nil {
			return nil, err
		}
		if tk.blk != nil && s.cur == nil {
			break // a blocking snapshot: streaming stops here until it ends
		}
		// Between transactions, wait poll.interval.ms for the first change,
		// and once some are ready only as long as more arrive back to back.
		between := s.cur == nil
		if between {
			timeout := idle
			if len(s.ready) > 0 {
				timeout = readyWait
			}
			dl.wait(timeout)
		}
		msg, err := s.conn.ReceiveMessage(dl.quiet)
		if between {
			dl.set(dl.end)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if dl.expired() {
				return nil, context.DeadlineExceeded
			}
			if pgconn.Timeout(err) {
				if len(s.ready) == 0 && (s.seen < s.target || tk.inc.working()) {
					// Still decoding WAL written before this invocation
					// started, or a snapshot chunk waits for its high
					// watermark: ask where the server is and keep waiting.
					if err := tk.ping(ctx); err != nil {
						return nil, err
					}
					continue
				}
				break
			}
			return nil, tk.cfg.describeStream(err)
		}
		if err := tk.handle(ctx, msg); err != nil {
			return nil, err
		}
	}
	out := s.ready
	s.ready = nil
	s.safe = max(s.safe, tk.inc.safeUpTo(s.pending))
	if len(out) == 0 {
		out = tk.heartbeat()
	}
	return out, nil
}

func (tk *Task) handle(ctx context.Context, msg pgproto3.BackendMessage) error {
	switch m := msg.(type) {
	case *pgproto3.ErrorResponse:
		return tk.cfg.describeStream(pgconn.ErrorResponseToPgError(m))
	case *pgproto3.CopyData:
		switch m.Data[0] {
		case pglogrepl.PrimaryKeepaliveMessageByteID:
			ka, err := pglogrepl.ParsePrimaryKeepaliveMessage(m.Data[1:])
			if err != nil {
				return err
			}
			if tk.stream.cur == nil {
				tk.stream.walEnd = uint64(ka.ServerWALEnd)
			}
			tk.stream.seen = max(tk.stream.seen, uint64(ka.ServerWALEnd))
			if ka.ReplyRequested {
				return tk.confirm(ctx, tk.stream.confirmed)
			}
		case pglogrepl.XLogDataByteID:
			x, err := pglogrepl.ParseXLogData(m.Data[1:])
			if err != nil {
				return err
			}
			tk.stream.seen = max(tk.stream.seen, uint64(x.WALStart))
			return tk.decode(ctx, x)
		}
	}
	return nil
}

// decode handles one pgoutput message.
func (tk *Task) decode(ctx context.Context, x pglogrepl.XLogData) error {
	s := &tk.stream
	if rc, ok, err := s.rows.decode(x.WALData); ok {
		if err != nil {
			return fmt.Errorf("decoding pgoutput message at %s: %w", x.WALStart, err)
		}
		return tk.change(rc.rel, rc.op, rc.oldType, rc.old, rc.new, x)
	}
	msg, err := pglogrepl.Parse(x.WALData)
	if err != nil {
		return fmt.Errorf("decoding pgoutput message at %s: %w", x.WALStart, err)
	}
	switch m := msg.(type) {
	case *pglogrepl.BeginMessage:
		if s.resumeEnd != 0 {
			// The transaction of the committed offset is not sent again:
			// it ended where this one's sequence starts.
			if uint64(m.FinalLSN) != s.skipFinal {
				s.lastFinal = s.resumeEnd
			}
			s.resumeEnd = 0
		}
		s.cur = &txn{xid: m.Xid, final: uint64(m.FinalLSN), commitTime: m.CommitTime}
		tk.txBegin(x)
	case *pglogrepl.CommitMessage:
		if s.cur != nil {
			tk.txEnd(x)
			end := any(int64(m.TransactionEndLSN))
			for _, r := range s.cur.recs {
				if lazy, ok := r.LazyOffset.(*streamedOffset); ok && r.SourceOffset == nil {
					lazy.txEnd = end
					continue
				}
				r.SourceOffset[OffsetTxEnd] = end
			}
			s.ready = append(s.ready, s.cur.recs...)
		}
		s.cur = nil
		s.lastFinal = uint64(m.TransactionEndLSN) // Debezium's lastCommitLsn: where the commit ends
		s.pending = uint64(m.TransactionEndLSN)
	case *pglogrepl.RelationMessage:
		names := make([]string, len(m.Columns))
		for i, c := range m.Columns {
			names[i] = c.Name
		}
		s.rel[m.RelationID] = names
		return tk.refreshTable(ctx, m)
	}
	return nil
}

// change turns one row change into records of the current transaction.
func (tk *Task) change(rel uint32, op string, oldType uint8, oldTuple, newTuple *pglogrepl.TupleData, x pglogrepl.XLogData) error {
	s := &tk.stream
	if s.cur == nil || s.cur.final == s.skipFinal && uint64(x.WALStart) <= s.skipLSN {
		return nil // already in Kafka before the last invocation ended
	}
	if rel == tk.inc.signal && rel != 0 && op != "u" {
		td := newTuple
		if op == "d" {
			td = oldTuple
		}
		if err := tk.signal(op, td, rel, x); err != nil {
			return err
		}
	}
	t := tk.byOID[rel]
	if t == nil {
		return nil
	}
	lsn := uint64(x.WALStart)
	var before, after *connectors.Struct
	var err error
	if oldTuple != nil {
		if before, err = s.tupleRow(t, rel, oldTuple); err != nil {
			return err
		}
	}
	if newTuple != nil {
		if after, err = s.tupleRow(t, rel, newTuple); err != nil {
			return err
		}
	}
	if tk.inc.window.Pending() { // texts by name only for an open snapshot window
		oldVals, _ := tk.tupleTexts(rel, oldTuple)
		newVals, _ := tk.tupleTexts(rel, newTuple)
		tk.dedup(t, oldVals, newVals)
	}
	p := position{lsn: lsn, commitLSN: s.cur.final, lastCommit: s.lastFinal, xid: s.cur.xid, commitTime: s.cur.commitTime}
	if op == "u" && before != nil && after != nil && debezium.KeyChanged(&t.dbz, before, after) {
		// As Debezium: a primary key change is a delete of the old key (and
		// its tombstone) and a create of the new one.
		n := len(s.cur.recs)
		s.cur.recs = tk.events(s.cur.recs, t, "d", before, nil, p)
		tk.txEvents(s.cur.recs[n:], t, p)
		op, before = "c", nil
	}
	n := len(s.cur.recs)
	s.cur.recs = tk.events(s.cur.recs, t, op, before, after, p)
	tk.txEvents(s.cur.recs[n:], t, p)
	return nil
}

// tupleTexts is the text of each column of a tuple by name (nil for no
// tuple), and the unchanged TOASTed columns it left out.
func (tk *Task) tupleTexts(rel uint32, td *pglogrepl.TupleData) (map[string]*string, map[string]bool) {
	if td == nil {
		return nil, nil
	}
	names := tk.stream.rel[rel]
	vals := make(map[string]*string, len(td.Columns))
	// The texts share one string and one slice of strings: three
	// allocations a tuple instead of two a column.
	var all strings.Builder
	size := 0
	for _, c := range td.Columns {
		if c.DataType == pglogrepl.TupleDataTypeText {
			size += len(c.Data)
		}
	}
	all.Grow(size)
	for _, c := range td.Columns {
		if c.DataType == pglogrepl.TupleDataTypeText {
			all.Write(c.Data)
		}
	}
	text, at := all.String(), 0
	texts := make([]string, min(len(td.Columns), len(names)))
	var toasted map[string]bool
	for i, c := range td.Columns {
		if i >= len(names) {
			break
		}
		switch c.DataType {
		case pglogrepl.TupleDataTypeText:
			texts[i], at = text[at:at+len(c.Data)], at+len(c.Data)
			vals[names[i]] = &texts[i]
		case pglogrepl.TupleDataTypeToast:
			if toasted == nil {
				toasted = map[string]bool{}
			}
			toasted[names[i]] = true
		}
	}
	return vals, toasted
}

// refreshTable rebuilds a captured table's schema when a relation message
// shows columns other than those it knows (the table was altered). The
// columns, their types and modifiers come from the message, which describes
// the table as it was when the change was written; nullability and the
// primary key from the catalog, where a column since dropped is optional.
func (tk *Task) refreshTable(ctx context.Context, m *pglogrepl.RelationMessage) error {
	t := tk.byOID[m.RelationID]
	if t == nil {
		return nil
	}
	known := len(m.Columns) == len(t.cols)
	for i := 0; known && i < len(m.Columns); i++ {
		c := m.Columns[i]
		known = t.cols[i].name == c.Name && t.cols[i].oid == c.DataType && t.cols[i].typmod == c.TypeModifier
	}
	if known {
		return nil
	}
	now, err := loadTable(ctx, tk.conn, &tk.cfg, m.RelationID)
	if err != nil {
		return err
	}
	nt := &table{oid: t.oid, schema: now.schema, name: now.name}
	for _, rc := range m.Columns {
		c := &column{name: rc.Name, oid: rc.DataType, typmod: rc.TypeModifier, nullable: true, typeName: fmt.Sprint(rc.DataType)}
		if cur := now.column(rc.Name); cur != nil {
			c.nullable, c.key, c.keyPos, c.defaultExpr = cur.nullable, cur.key, cur.keyPos, cur.defaultExpr
			if cur.oid == c.oid {
				c.enumLabels = cur.enumLabels
			}
			if cur.oid == c.oid {
				c.typeName = cur.typeName
			}
		}
		nt.cols = append(nt.cols, c)
	}
	nt.build(&tk.cfg)
	tk.byOID[m.RelationID] = nt
	return nil
}
