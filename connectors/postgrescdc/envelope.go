package postgrescdc

import (
	"maps"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// Version is written in the source block's version field.
const Version = "ferry-0.1.0"

// Keys of Debezium's PostgreSQL source partition and offset.
const (
	PartitionServer     = "server"
	OffsetLSN           = "lsn"
	OffsetLSNProc       = "lsn_proc"
	OffsetLSNCommit     = "lsn_commit"
	OffsetTxID          = "txId"
	OffsetTsUsec        = "ts_usec"
	OffsetSnapshot      = "snapshot"
	OffsetLastSnapshot  = "last_snapshot_record"
	OffsetSnapshotTable = "ferry_snapshot_table" // ferry: the table the snapshot is reading
	OffsetSnapshotAfter = "ferry_snapshot_after" // ferry: JSON array of the last key read (text), or a ctid
	OffsetLastCommit    = "ferry_last_commit"    // ferry: end LSN of the transaction before the event's (source.sequence)
	OffsetTxEnd         = "ferry_tx_end"         // ferry: end LSN of the event's transaction
)

// sourceSchema is io.debezium.connector.postgresql.Source as Debezium 3.6
// writes it (checked against the connector by TestDebeziumOraclePostgres).
var sourceSchema = connectors.StructBuilder().Name("io.debezium.connector.postgresql.Source").Version(1).
	Field("version", connectors.StringSchema).
	Field("connector", connectors.StringSchema).
	Field("name", connectors.StringSchema).
	Field("ts_ms", connectors.Int64Schema).
	Field("snapshot", connectors.NewSchemaBuilder(connectors.TypeString).Optional().Name("io.debezium.data.Enum").Version(1).
		Parameter("allowed", "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental").
		DefaultValue("false").MustBuild()).
	Field("db", connectors.StringSchema).
	Field("sequence", connectors.OptionalStringSchema).
	Field("ts_us", connectors.OptionalInt64Schema).
	Field("ts_ns", connectors.OptionalInt64Schema).
	Field("schema", connectors.StringSchema).
	Field("table", connectors.StringSchema).
	Field("txId", connectors.OptionalInt64Schema).
	Field("lsn", connectors.OptionalInt64Schema).
	Field("xmin", connectors.OptionalInt64Schema).
	Field("origin", connectors.OptionalStringSchema).
	Field("origin_lsn", connectors.OptionalInt64Schema).
	MustBuild()

// Indexes of source fields.
const (
	srcSnapshot = 4
	srcTxID     = 11
	srcLSN      = 12
)

// position is where an event sits in the WAL and its transaction.
type position struct {
	lsn        uint64 // the event's LSN
	commitLSN  uint64 // the LSN of its transaction's commit record (BEGIN's final LSN)
	lastCommit uint64 // the end LSN of the previous transaction, for source.sequence
	xid        uint32
	commitTime time.Time
	snapshot   string // source.snapshot of a snapshot record ("true", "first", "last", …), "" streaming
}

// source builds the source block of an event: t's fixed fields copied
// from its template, the commit time and transaction id boxed once a
// transaction, lsn the event's LSN boxed (its offset's).
func (tk *Task) source(t *table, p position, lsn any) *connectors.Struct {
	st := connectors.NewStruct(sourceSchema)
	t.src.CopyTo(st)
	switch p.snapshot {
	case "":
	case "true": // most snapshot records: a constant, not boxed
		st.Set(srcSnapshot, "true")
	default:
		st.Set(srcSnapshot, p.snapshot)
	}
	ms, us, ns := tk.boxed.commit.Of(p.commitTime)
	st.Set(3, ms)
	st.Set(6, sequence(p))
	st.Set(7, us)
	st.Set(8, ns)
	st.Set(srcTxID, tk.boxed.xid.Of(int64(p.xid)))
	st.Set(srcLSN, lsn)
	return st
}

// sourceTemplate is the source block's fields that are the same for every
// event of t.
func sourceTemplate(t *table, cfg *Config) *connectors.Struct {
	st := connectors.NewStruct(sourceSchema)
	st.Set(0, Version)
	st.Set(1, "postgresql")
	st.Set(2, cfg.TopicPrefix)
	st.Set(srcSnapshot, "false")
	st.Set(5, cfg.DBName)
	st.Set(9, t.schema)
	st.Set(10, t.name)
	return st
}

// boxes are source field values boxed once while they repeat.
type boxes struct {
	commit                             debezium.Times
	xid, tsUsec, commitLSN, lastCommit debezium.Boxed[int64]
}

// sequence is source.sequence: the JSON array of the previous
// transaction's end LSN (null when unknown) and the event's LSN, as strings.
func sequence(p position) string {
	var b [48]byte
	seq := append(b[:0], '[')
	if p.lastCommit != 0 {
		seq = append(strconv.AppendUint(append(seq, '"'), p.lastCommit, 10), '"')
	} else {
		seq = append(seq, "null"...)
	}
	seq = append(strconv.AppendUint(append(seq, ',', '"'), p.lsn, 10), '"', ']')
	return string(seq)
}

// offset is Debezium's offset map for an event at p; the values shared by
// a transaction's events are boxed once.
func (tk *Task) offset(p position) map[string]any { return offsetAt(&tk.boxed, p) }

// offsetAt is offset with the repeating values boxed in b.
func offsetAt(b *boxes, p position) map[string]any {
	lsn := any(int64(p.lsn))
	off := make(map[string]any, 8)
	off[OffsetLSN], off[OffsetTxID], off[OffsetTsUsec] = lsn, b.xid.Of(int64(p.xid)), b.tsUsec.Of(p.commitTime.UnixMicro())
	if p.snapshot != "" {
		off[OffsetSnapshot] = true
		off[OffsetLastSnapshot] = p.snapshot == "last"
		return off
	}
	off[OffsetLSNProc] = lsn
	off[OffsetLSNCommit] = b.commitLSN.Of(int64(p.commitLSN))
	if p.lastCommit != 0 {
		off[OffsetLastCommit] = b.lastCommit.Of(int64(p.lastCommit))
	}
	return off
}

// clock is the processing time written as the envelope's ts_ms.
func (tk *Task) clock() time.Time {
	if tk.now != nil {
		return tk.now()
	}
	return time.Now()
}

// events appends to dst the change event for op (c, u, d, r) and, after a
// delete, its tombstone.
func (tk *Task) events(dst []*connectors.Record, t *table, op string, before, after *connectors.Struct, p position) []*connectors.Record {
	c := debezium.Change{Op: op, Before: before, After: after, Ts: tk.clock(), Partition: tk.partition, Tombstone: tk.cfg.Tombstones}
	lsn := any(int64(p.lsn))
	switch lazy, stamped := tk.lazyOffset(p); {
	case lazy != nil:
		c.LazyOffset = lazy
	case stamped != nil:
		c.Offset = tk.offset(p)
		maps.Copy(c.Offset, stamped)
	default:
		c.Offset = tk.offset(p)
		tk.inc.stamp(c.Offset)
	}
	if c.Offset != nil {
		lsn = c.Offset[OffsetLSN]
	}
	c.Source = tk.source(t, p, lsn)
	return debezium.AppendEvent(dst, &t.dbz, c)
}

// row builds a Value struct from text values by column name; missing
// required values get Debezium's fallback, unchanged TOASTed strings its
// placeholder.
func (t *table) row(vals map[string]*string, toasted map[string]bool) (*connectors.Struct, error) {
	st := connectors.NewStruct(t.value)
	for i, f := range t.value.Fields {
		raw, ok := vals[f.Name]
		switch {
		case toasted[f.Name] && f.Schema.Type == connectors.TypeString:
			st.Set(f.Index, Unavailable)
		case !ok || raw == nil:
			// Left null, a value with a default is written as the default
			// (JsonConverter's replace.null.with.default), as Debezium's.
			if !f.Schema.Optional && f.Schema.Default == nil {
				st.Set(f.Index, debezium.Fallback(f.Schema))
			}
		default:
			if err := t.set(st, i, *raw); err != nil {
				return nil, err
			}
		}
	}
	return st, nil
}

// set converts the text of value field i into st.
func (t *table) set(st *connectors.Struct, i int, raw string) error {
	c := t.fields[i]
	v, err := c.conv(raw)
	if err != nil {
		return connectors.DataError("%s column %s (%s): %v", t, c.name, c.typeName, err)
	}
	st.Set(t.value.Fields[i].Index, v)
	return nil
}
