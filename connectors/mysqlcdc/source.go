package mysqlcdc

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// Version is written in the source block's version field.
const Version = "ferry-0.1.0"

// Keys of Debezium's binlog source partition and offset.
const (
	PartitionServer     = "server"
	OffsetFile          = "file"
	OffsetPos           = "pos"
	OffsetGTIDs         = "gtids"
	OffsetEvent         = "event"
	OffsetRow           = "row"
	OffsetServerID      = "server_id"
	OffsetTsSec         = "ts_sec"
	OffsetSnapshot      = "snapshot"
	OffsetSnapshotDone  = "snapshot_completed"
	OffsetSnapshotTable = "ferry_snapshot_table" // ferry: the table the snapshot is reading
	OffsetSnapshotAfter = "ferry_snapshot_after" // ferry: JSON array of the last key read
)

// snapshotAllowed is the source.snapshot enum of Debezium 3.
const snapshotAllowed = "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"

// sourceSchema is io.debezium.connector.<mysql|mariadb>.Source.
func sourceSchema(fl flavor) *connectors.Schema {
	return connectors.StructBuilder().Name("io.debezium.connector."+fl.connector+".Source").Version(1).
		Field("version", connectors.StringSchema).
		Field("connector", connectors.StringSchema).
		Field("name", connectors.StringSchema).
		Field("ts_ms", connectors.Int64Schema).
		Field("snapshot", connectors.NewSchemaBuilder(connectors.TypeString).Optional().Name("io.debezium.data.Enum").Version(1).
			Parameter("allowed", snapshotAllowed).DefaultValue("false").MustBuild()).
		Field("db", connectors.StringSchema).
		Field("sequence", connectors.OptionalStringSchema).
		Field("ts_us", connectors.OptionalInt64Schema).
		Field("ts_ns", connectors.OptionalInt64Schema).
		Field("table", connectors.OptionalStringSchema).
		Field("server_id", connectors.Int64Schema).
		Field("gtid", connectors.OptionalStringSchema).
		Field("file", connectors.StringSchema).
		Field("pos", connectors.Int64Schema).
		Field("row", connectors.Int32Schema).
		Field("thread", connectors.OptionalInt64Schema).
		Field("query", connectors.OptionalStringSchema).
		MustBuild()
}

// binlogPos is a position in the binary log.
type binlogPos struct {
	file string
	pos  uint64
}

// before orders positions: file names sort by their numeric suffix.
func (p binlogPos) before(q binlogPos) bool {
	if p.file != q.file {
		return p.file < q.file
	}
	return p.pos < q.pos
}

func (p binlogPos) String() string { return fmt.Sprintf("%s:%d", p.file, p.pos) }

// sourceInfo is what the source block and the offset of one event say.
type sourceInfo struct {
	db, table string
	when      time.Time
	snapshot  string // "" when streaming
	serverID  uint32
	gtid      string
	at        binlogPos // the event's own position (source.file/pos)
	row       int
	thread    int64  // -1: unknown
	query     string // include.query: the statement that wrote the row
}

// source builds the source block: the fields fixed for a table copied from
// a template, values that repeat from event to event (time, server, file,
// position, GTID, thread) boxed once while they repeat.
func (tk *Task) source(si sourceInfo) *connectors.Struct {
	b := &tk.boxed
	if b.tmpl == nil || b.tmpl.Schema() != tk.src || b.db != si.db || b.table != si.table {
		b.tmpl, b.db, b.table = tk.sourceTemplate(si.db, si.table), si.db, si.table
	}
	st := connectors.NewStruct(tk.src)
	b.tmpl.CopyTo(st)
	switch si.snapshot {
	case "":
	case "true": // most snapshot records: a constant, not boxed
		st.Set(4, "true")
	default:
		st.Set(4, si.snapshot)
	}
	ms, us, ns := b.when.Of(si.when)
	st.Set(3, ms)
	st.Set(7, us)
	st.Set(8, ns)
	st.Set(10, b.serverID.Of(int64(si.serverID)))
	if si.gtid != "" {
		st.Set(11, b.gtid.Of(si.gtid))
	}
	st.Set(12, b.file.Of(si.at.file))
	st.Set(13, b.pos.Of(int64(si.at.pos)))
	st.Set(14, int32(si.row))
	if si.thread >= 0 {
		st.Set(15, b.thread.Of(si.thread))
	}
	if si.query != "" {
		st.Set(16, si.query)
	}
	return st
}

// sourceTemplate is the source block's fields that are the same for every
// event of a table (db, table; table "" for schema changes).
func (tk *Task) sourceTemplate(db, table string) *connectors.Struct {
	st := connectors.NewStruct(tk.src)
	st.Set(0, Version)
	st.Set(1, tk.fl.connector)
	st.Set(2, tk.cfg.prefix())
	st.Set(4, "false")
	st.Set(5, db)
	if table != "" {
		st.Set(9, table)
	}
	return st
}

// sourceBoxes are the last source template and the source values boxed
// once while they repeat.
type sourceBoxes struct {
	tmpl                  *connectors.Struct
	db, table             string
	when                  debezium.Times
	serverID, pos, thread debezium.Boxed[int64]
	gtid, file            debezium.Boxed[string]
	// the offset's
	offPos, tsSec, events debezium.Boxed[int64]
	offFile, gtids        debezium.Boxed[string]
}

// restartPoint is Debezium's offset: where to restart reading and what to
// skip there.
type restartPoint struct {
	at       binlogPos
	gtids    string
	events   int64 // events of the transaction at `at` already processed
	rows     int64 // rows of the next event already processed
	serverID uint32
	tsSec    int64
}

func (r restartPoint) offset() map[string]any {
	var b sourceBoxes
	return r.boxedOffset(&b)
}

// boxedOffset is offset with the values that repeat from event to event
// boxed once in b while they repeat.
func (r restartPoint) boxedOffset(b *sourceBoxes) map[string]any {
	off := make(map[string]any, 8)
	off[OffsetFile], off[OffsetPos], off[OffsetTsSec] = b.offFile.Of(r.at.file), b.offPos.Of(int64(r.at.pos)), b.tsSec.Of(r.tsSec)
	if r.serverID != 0 {
		off[OffsetServerID] = b.serverID.Of(int64(r.serverID))
	}
	if r.gtids != "" {
		off[OffsetGTIDs] = b.gtids.Of(r.gtids)
	}
	if r.events != 0 {
		off[OffsetEvent] = b.events.Of(r.events)
	}
	if r.rows != 0 {
		off[OffsetRow] = r.rows
	}
	return off
}

// parseOffset reads a committed offset, written by ferry or by Debezium.
func parseOffset(off map[string]any) (restartPoint, error) {
	var r restartPoint
	file, ok := off[OffsetFile].(string)
	if !ok || file == "" {
		return r, fmt.Errorf("mysql cdc offset has no binlog file (%v); reset the connector's offsets", off)
	}
	r.at.file = file
	var err error
	num := func(key string) int64 {
		n, e := offsetInt(off[key])
		if e != nil && err == nil {
			err = fmt.Errorf("mysql cdc offset %s = %v: %w; reset the connector's offsets", key, off[key], e)
		}
		return n
	}
	r.at.pos = uint64(num(OffsetPos))
	r.events, r.rows, r.tsSec = num(OffsetEvent), num(OffsetRow), num(OffsetTsSec)
	r.serverID = uint32(num(OffsetServerID))
	r.gtids, _ = off[OffsetGTIDs].(string)
	return r, err
}

// offsetInt reads a number however the offset store decoded it.
func offsetInt(v any) (int64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float64:
		if x == math.Trunc(x) {
			return int64(x), nil
		}
	case json.Number:
		return x.Int64()
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("not an integer")
}

// isTrue reads a boolean offset flag (Debezium writes true or "true").
func isTrue(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true" || x == "INITIAL" || x == "BLOCKING"
	}
	return false
}
