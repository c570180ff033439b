package postgrescdc

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/jackc/pglogrepl"
)

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
