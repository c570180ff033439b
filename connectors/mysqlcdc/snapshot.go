package mysqlcdc

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/go-mysql-org/go-mysql/mysql"
)

// snapshotState is where the chunked snapshot stands.
type snapshotState struct {
	active  bool
	table   int      // index into Task.tables
	after   []string // SQL literals of the last key read (or "#n": rows read of a keyless table)
	at      binlogPos
	gtids   string
	emitted bool // a snapshot record was emitted (the next table's first is first_in_data_collection)
}

// beginSnapshot takes the binlog position the snapshot is consistent with:
// MariaDB reports it for a consistent-snapshot transaction without a lock;
// MySQL holds a global read lock while it reads it (snapshot.locking.mode
// minimal or extended; none takes no lock).
func (tk *Task) beginSnapshot(ctx context.Context) error {
	if err := tk.takePosition(); err != nil {
		return err
	}
	var err error
	tk.pending, err = tk.seedHistory(restartPoint{at: tk.snap.at, gtids: tk.snap.gtids, tsSec: tk.clock().Unix()}, "true")
	for _, r := range tk.pending {
		// A snapshot offset: an invocation that ends after these records
		// resumes the snapshot, not streaming past the rows it never read.
		r.SourceOffset[OffsetSnapshot] = true
	}
	return err
}

// takePosition starts the snapshot transaction and reads its position.
func (tk *Task) takePosition() error {
	tk.snap = snapshotState{active: true}
	if tk.fl.mariadb {
		if _, err := tk.conn.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
			return fmt.Errorf("mysql cdc snapshot: %w", err)
		}
		res, err := tk.conn.Execute("SHOW STATUS LIKE 'binlog_snapshot_%'")
		if err != nil {
			return fmt.Errorf("mysql cdc snapshot: %w", err)
		}
		for i := range res.Values {
			k, _ := res.GetString(i, 0)
			v, _ := res.GetString(i, 1)
			switch strings.ToLower(k) {
			case "binlog_snapshot_file":
				tk.snap.at.file = v
			case "binlog_snapshot_position":
				tk.snap.at.pos, _ = strconv.ParseUint(v, 10, 64)
			}
		}
		gtids, err := tk.variable("gtid_binlog_pos")
		tk.snap.gtids = gtids
		return err
	}
	lock := tk.cfg.SnapshotLocking != "none"
	if lock {
		if _, err := tk.conn.Execute("FLUSH TABLES WITH READ LOCK"); err != nil {
			return fmt.Errorf("%w: FLUSH TABLES WITH READ LOCK: %v; grant RELOAD to %s or set snapshot.locking.mode=none", ErrServer, err, tk.cfg.User)
		}
	}
	at, gtids, err := tk.masterStatus()
	if err == nil {
		_, err = tk.conn.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
	}
	if lock {
		if _, uerr := tk.conn.Execute("UNLOCK TABLES"); uerr != nil && err == nil {
			err = uerr
		}
	}
	tk.snap.at, tk.snap.gtids = at, gtids
	return err
}

// resumeSnapshot restores the snapshot position from an offset written by an
// interrupted snapshot.
func (tk *Task) resumeSnapshot(off map[string]any, rp restartPoint) {
	tk.snap = snapshotState{active: true, at: rp.at, gtids: rp.gtids, emitted: true}
	name, _ := off[OffsetSnapshotTable].(string)
	for i, t := range tk.tables {
		if t.String() == name {
			tk.snap.table = i
			if raw, ok := off[OffsetSnapshotAfter].(string); ok {
				_ = json.Unmarshal([]byte(raw), &tk.snap.after)
			}
		}
	}
}

// snapshotChunk reads the next chunk (snapshot.fetch.size rows) in key
// order, moving to the next table when one is done.
func (tk *Task) snapshotChunk(ctx context.Context) ([]*connectors.Record, error) {
	for tk.snap.table < len(tk.tables) {
		t := tk.tables[tk.snap.table]
		recs, full, err := tk.readChunk(t)
		if err != nil {
			return nil, err
		}
		if !full {
			tk.snap.table++
			tk.snap.after = nil
			if len(recs) > 0 {
				last, err := tk.restEmpty()
				if err != nil {
					return nil, err
				}
				if last { // Debezium 3.6 marks first, first_in_data_collection, last_in_data_collection and last
					tk.markSnapshot(recs[len(recs)-1], "last")
					tk.snap.active = false
				} else {
					tk.markSnapshot(recs[len(recs)-1], "last_in_data_collection")
				}
			}
		}
		if len(recs) > 0 {
			return recs, nil
		}
	}
	tk.snap.active = false
	return nil, nil
}

// chunkQuery is the SELECT of t's next chunk.
func (tk *Task) chunkQuery(t *table) string {
	var sel, order []string
	for _, c := range t.cols {
		sel = append(sel, ident(c.name))
	}
	for _, c := range t.keyCols {
		order = append(order, ident(c.name))
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + ident(t.db) + "." + ident(t.name)
	n := tk.cfg.SnapshotFetch
	if len(order) == 0 {
		skip := 0
		if len(tk.snap.after) == 1 {
			skip, _ = strconv.Atoi(strings.TrimPrefix(tk.snap.after[0], "#"))
		}
		return q + fmt.Sprintf(" LIMIT %d, %d", skip, n+1)
	}
	if tk.snap.after != nil {
		q += " WHERE " + keyBound(order, tk.snap.after, ">")
	}
	// One row more than a chunk: it tells whether the chunk ends the table.
	return q + " ORDER BY " + strings.Join(order, ", ") + fmt.Sprintf(" LIMIT %d", n+1)
}

// readChunk reads one chunk of t; full says it was a whole chunk. Rows are
// streamed (go-mysql reuses one row's buffers) and converted one at a time;
// a row that fails the chunk is kept and returned once the result is read,
// so the connection stays usable.
func (tk *Task) readChunk(t *table) ([]*connectors.Record, bool, error) {
	rd := chunkReader{tk: tk, t: t, now: tk.clock(), start: len(tk.snap.after) == 0,
		vals: make([]any, len(t.cols)), recs: make([]*connectors.Record, 0, min(tk.cfg.SnapshotFetch, 1024))}
	for _, k := range t.keyCols { // in primary-key order, as chunkQuery compares them
		for i, c := range t.cols {
			if c == k {
				rd.keyIdx = append(rd.keyIdx, i)
			}
		}
	}
	var res mysql.Result
	if err := tk.conn.ExecuteSelectStreaming(tk.chunkQuery(t), &res, rd.row, nil); err != nil {
		return nil, false, fmt.Errorf("%w %s: snapshot: %v", ErrTable, t, err)
	}
	if rd.err != nil {
		return nil, false, rd.err
	}
	return rd.recs, rd.n > tk.cfg.SnapshotFetch, nil
}

// chunkReader converts the rows of one snapshot chunk into read events.
type chunkReader struct {
	tk     *Task
	t      *table
	now    time.Time
	start  bool // the chunk starts the table
	keyIdx []int
	vals   []any
	recs   []*connectors.Record
	n      int // rows seen, the one past the chunk included
	err    error
}

// row is go-mysql's per-row callback: row's buffers are valid only until it returns.
func (rd *chunkReader) row(row []mysql.FieldValue) error {
	tk, t := rd.tk, rd.t
	rd.n++
	if rd.n > tk.cfg.SnapshotFetch || rd.err != nil {
		return nil
	}
	for j := range row {
		rd.vals[j] = row[j].Value()
	}
	after, err := t.row(rd.vals)
	if err != nil {
		rd.err = tk.failOrWarn(err)
		return nil
	}
	trimSnapshotTimestamps(t, after)
	if len(rd.keyIdx) == 0 {
		done := 0
		if len(tk.snap.after) == 1 {
			done, _ = strconv.Atoi(strings.TrimPrefix(tk.snap.after[0], "#"))
		}
		tk.snap.after = []string{"#" + strconv.Itoa(done+1)}
	} else {
		tk.snap.after = tk.snap.after[:0]
		for _, k := range rd.keyIdx {
			tk.snap.after = append(tk.snap.after, row[k].String())
		}
	}
	mark := "true"
	if rd.n == 1 && rd.start {
		mark = "first_in_data_collection"
		if !tk.snap.emitted && tk.snap.table == 0 { // as Debezium: only the first table's first row (an empty first table: none)
			mark = "first"
		}
	}
	tk.snap.emitted = true
	si := sourceInfo{db: t.db, table: t.name, when: rd.now, snapshot: mark, at: tk.snap.at, thread: -1}
	rp := restartPoint{at: tk.snap.at, gtids: tk.snap.gtids, tsSec: rd.now.Unix()}
	off := rp.boxedOffset(&tk.boxed)
	off[OffsetSnapshot] = true
	off[OffsetSnapshotTable] = t.String()
	off[OffsetSnapshotAfter] = jsonStrings(tk.snap.after)
	rd.recs = append(rd.recs, debezium.Event(&t.dbz, debezium.Change{Op: debezium.OpRead, After: after, Source: tk.source(si),
		Ts: rd.now, Partition: tk.partition, Offset: off})...)
	return nil
}

// jsonStrings is encoding/json's array of ss, written directly when every
// string is printable ASCII that encoding/json leaves unescaped.
func jsonStrings(ss []string) string {
	n := 2
	for _, s := range ss {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				out, _ := json.Marshal(ss)
				return string(out)
			}
		}
		n += len(s) + 3
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), s...), '"')
	}
	return string(append(b, ']'))
}

// restEmpty reports whether every table after the current one is empty.
func (tk *Task) restEmpty() (bool, error) {
	for _, t := range tk.tables[tk.snap.table:] {
		res, err := tk.conn.Execute("SELECT 1 FROM " + ident(t.db) + "." + ident(t.name) + " LIMIT 1")
		if err != nil {
			return false, fmt.Errorf("%w %s: snapshot: %v", ErrTable, t, err)
		}
		if len(res.Values) > 0 {
			return false, nil
		}
	}
	return true, nil
}

// markSnapshot sets the source.snapshot mark of r; "last" also completes the
// snapshot in the offset.
func (tk *Task) markSnapshot(r *connectors.Record, mark string) {
	env := r.Value.(*connectors.Struct)
	src, _ := env.Get("source")
	if cur, _ := src.(*connectors.Struct).Get("snapshot"); cur == "first" && mark != "last" {
		return
	}
	src.(*connectors.Struct).Set(4, mark)
	if mark == "last" {
		r.SourceOffset[OffsetSnapshotDone] = true
		delete(r.SourceOffset, OffsetSnapshotTable)
		delete(r.SourceOffset, OffsetSnapshotAfter)
	}
}

// trimSnapshotTimestamps writes TIMESTAMP(n) values as Debezium's snapshot
// does (it reads them through JDBC): without the fraction's trailing
// zeros, where its binlog reader pads them to n digits.
func trimSnapshotTimestamps(t *table, st *connectors.Struct) {
	for _, c := range t.cols {
		if c.dataType != "timestamp" || c.fsp == 0 || c.schema == nil || c.excluded || c.schema.Type != connectors.TypeString {
			continue
		}
		if v, _ := st.Get(c.name); v != nil {
			z := v.(string)
			s := strings.TrimSuffix(z, "Z")
			if strings.Contains(s, ".") {
				s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
			}
			if len(s) != len(z)-1 || !strings.HasSuffix(z, "Z") { // else nothing to trim
				st.Put(c.name, s+"Z")
			}
		}
	}
}
