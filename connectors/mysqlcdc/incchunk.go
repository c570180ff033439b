package mysqlcdc

import (
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// newFilterPattern compiles a signal's table pattern; an invalid one
// matches nothing.
func newFilterPattern(p string) *regexp.Regexp {
	re, err := regexp.Compile("^(?:" + p + ")$")
	if err != nil {
		return regexp.MustCompile(`^\b$`)
	}
	return re
}

// nextChunk reads the next chunk of the incremental snapshot between its
// watermarks, skipping tables that are gone, keyless or done.
func (tk *Task) nextChunk() error {
	s := &tk.inc
	for s.running() && !s.paused {
		t := tk.byName[s.queue[0]]
		if t == nil || len(t.keyCols) == 0 {
			slog.Warn("mysql cdc: incremental snapshot skips a table that is not captured or has no primary key", "table", s.queue[0])
			s.next()
			continue
		}
		if s.max == nil {
			max, err := tk.maxKey(t)
			if err != nil && tk.filterFailed(err) {
				s.next()
				continue
			}
			if err != nil {
				return err
			}
			if max == nil { // empty
				s.next()
				continue
			}
			s.max = max
		}
		id := debezium.NewChunkID()
		opened := time.Now()
		if err := tk.watermark(debezium.WindowOpen(id, opened)); err != nil {
			return err
		}
		keys, recs, last, n, err := tk.readIncChunk(t)
		if err != nil && tk.filterFailed(err) {
			s.next()
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 { // nothing left up to the maximum key
			s.next()
			continue
		}
		if tk.cfg.Watermarking == "insert_delete" {
			_, err = tk.conn.Execute("DELETE FROM " + tk.signalIdent() + " WHERE id = " + quote(id+"-open"))
		} else {
			err = tk.watermark(debezium.WindowClose(id, opened, time.Now()))
		}
		if err != nil {
			return tk.signalError(err)
		}
		s.win.Start(id, keys, recs)
		s.chunk, s.ends = last, n < tk.cfg.IncChunkSize || keysEqual(last, s.max)
		return nil
	}
	return nil
}

func (tk *Task) signalIdent() string {
	db, tb, _ := strings.Cut(tk.cfg.SignalTable, ".")
	return ident(db) + "." + ident(tb)
}

// watermark inserts a watermark row into the signalling table.
func (tk *Task) watermark(w debezium.Watermark) error {
	_, err := tk.conn.Execute("INSERT INTO " + tk.signalIdent() + " VALUES (" + quote(w.ID) + ", " + quote(w.Type) + ", " + quote(w.Data) + ")")
	return tk.signalError(err)
}

func (tk *Task) signalError(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: writing a watermark to the signalling table %s: %v; create it (CREATE TABLE %s (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)) and GRANT INSERT, DELETE ON it TO %s",
		ErrServer, tk.cfg.SignalTable, err, tk.cfg.SignalTable, tk.cfg.User)
}

func keysEqual(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if keyLiteral(a[i]) != keyLiteral(b[i]) {
			return false
		}
	}
	return true
}

// keyList is t's key columns, quoted, in key order.
func keyList(t *table) []string {
	out := make([]string, len(t.keyCols))
	for i, c := range t.keyCols {
		out[i] = ident(c.name)
	}
	return out
}

// maxKey reads t's largest key (nil: the table is empty).
func (tk *Task) maxKey(t *table) ([]any, error) {
	keys := keyList(t)
	desc := make([]string, len(keys))
	for i, k := range keys {
		desc[i] = k + " DESC"
	}
	where := ""
	if f := tk.inc.condition(); f != "" {
		where = " WHERE " + f
	}
	res, err := tk.conn.Execute("SELECT " + strings.Join(keys, ", ") + " FROM " + ident(t.db) + "." + ident(t.name) + where +
		" ORDER BY " + strings.Join(desc, ", ") + " LIMIT 1")
	if err != nil {
		return nil, fmt.Errorf("%w %s: incremental snapshot: %v", ErrTable, t, err)
	}
	if len(res.Values) == 0 {
		return nil, nil
	}
	key := make([]any, len(t.keyCols))
	for i, c := range t.keyCols {
		key[i] = keyValue(c, res.Values[0][i].Value())
	}
	return key, nil
}

// keyValue is a key column's value as the offset keeps it: Integer for the
// int types up to INT, Long for INT UNSIGNED and BIGINT (JDBC's types), the
// text form otherwise.
func keyValue(c *column, v any) any {
	small := c.dataType == "tinyint" || c.dataType == "smallint" || c.dataType == "mediumint" || c.dataType == "int" && !c.unsigned
	switch x := v.(type) {
	case int64:
		if small && x >= math.MinInt32 && x <= math.MaxInt32 {
			return int32(x)
		}
		return x
	case uint64:
		if small && x <= math.MaxInt32 {
			return int32(x)
		}
		if x <= math.MaxInt64 {
			return int64(x)
		}
		return strconv.FormatUint(x, 10)
	case []byte:
		return string(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// keyLiteral is a key value as SQL.
func keyLiteral(v any) string {
	switch x := v.(type) {
	case int8, int16, int32, int64:
		return fmt.Sprint(x)
	case string:
		return quote(x)
	case nil:
		return "NULL"
	}
	return quote(fmt.Sprint(v))
}

// keyBound is the predicate key > lits (op ">") or key <= lits (op "<=")
// on the key columns cols, expanded as (k1 > v1) OR (k1 = v1 AND k2 > v2)
// …, as Debezium writes it: MariaDB reads a range of the primary key for
// it, where for a row comparison (k1, k2) > (v1, v2) it scans the index
// from its start.
func keyBound(cols, lits []string, op string) string {
	ors := make([]string, len(cols))
	for i := range cols {
		ands := make([]string, 0, i+1)
		for j := 0; j < i; j++ {
			ands = append(ands, cols[j]+" = "+lits[j])
		}
		last := op[:1] // strict on every column but the last
		if i == len(cols)-1 {
			last = op
		}
		ors[i] = strings.Join(append(ands, cols[i]+" "+last+" "+lits[i]), " AND ")
	}
	if len(ors) == 1 {
		return ors[0]
	}
	return "((" + strings.Join(ors, ") OR (") + "))"
}

// incChunkQuery selects t's rows after the last key emitted, up to the
// maximum key, in key order.
func (tk *Task) incChunkQuery(t *table) string {
	s := &tk.inc
	sel := make([]string, len(t.cols))
	for i, c := range t.cols {
		sel[i] = ident(c.name)
	}
	keys := keyList(t)
	lits := func(k []any) []string {
		out := make([]string, len(k))
		for i, v := range k {
			out[i] = keyLiteral(v)
		}
		return out
	}
	where := []string{keyBound(keys, lits(s.max), "<=")}
	if s.last != nil {
		where = append(where, keyBound(keys, lits(s.last), ">"))
	}
	if f := s.condition(); f != "" {
		where = append(where, f)
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM " + ident(t.db) + "." + ident(t.name) + " WHERE " + strings.Join(where, " AND ") +
		" ORDER BY " + strings.Join(keys, ", ") + fmt.Sprintf(" LIMIT %d", tk.cfg.IncChunkSize)
}

// readIncChunk reads one chunk as read records (offsets are set when its
// window closes), with each row's key identity, the chunk's last key and
// the number of rows read.
func (tk *Task) readIncChunk(t *table) ([]string, []*connectors.Record, []any, int, error) {
	res, err := tk.conn.Execute(tk.incChunkQuery(t))
	if err != nil {
		return nil, nil, nil, 0, fmt.Errorf("%w %s: incremental snapshot: %v", ErrTable, t, err)
	}
	keyIdx := make([]int, 0, len(t.keyCols))
	for _, k := range t.keyCols {
		for i, c := range t.cols {
			if c == k {
				keyIdx = append(keyIdx, i)
			}
		}
	}
	now := tk.clock()
	mark := "incremental"
	if tk.inc.initial {
		mark = "true"
	}
	var keys []string
	var recs []*connectors.Record
	var last []any
	vals := make([]any, len(t.cols))
	for _, row := range res.Values {
		for j := range row {
			vals[j] = row[j].Value()
		}
		last = make([]any, len(keyIdx))
		for i, k := range keyIdx {
			last[i] = keyValue(t.cols[k], vals[k])
		}
		after, err := t.row(vals)
		if err != nil {
			if err := tk.failOrWarn(err); err != nil {
				return nil, nil, nil, 0, err
			}
			continue
		}
		id := keyID(t, after)
		trimSnapshotTimestamps(t, after)
		si := sourceInfo{db: t.db, table: t.name, when: now, snapshot: mark, at: tk.stream.at(), thread: -1}
		ev := debezium.Event(&t.dbz, debezium.Change{Op: debezium.OpRead, After: after, Source: tk.source(si), Ts: now, Partition: tk.partition})
		keys, recs = append(keys, id), append(recs, ev[0])
	}
	return keys, recs, last, len(res.Values), nil
}

// keyID identifies a row by its key fields, the same for a row read by a
// chunk and one decoded from the binlog.
func keyID(t *table, row *connectors.Struct) string {
	if row == nil {
		return ""
	}
	var b strings.Builder
	for _, n := range t.dbz.KeyNames {
		v, _ := row.Get(n)
		fmt.Fprintf(&b, "%v\x00", v)
	}
	return b.String()
}
