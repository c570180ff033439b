// Package debezium holds what Debezium's change-data-capture connectors
// share: the change-event envelope (before, after, source, transaction, op,
// ts_ms, ts_us, ts_ns), its key, and the tombstone that follows a delete. The
// PostgreSQL and MySQL/MariaDB connectors build their own source blocks and
// row values, and hand them to Event. The incremental snapshot's shared
// parts are here too: signals, watermarks, the DBLog chunk window and the
// offset keys.
package debezium

import (
	"reflect"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// The change-event operations.
const (
	OpRead   = "r"
	OpCreate = "c"
	OpUpdate = "u"
	OpDelete = "d"
)

// BlockSchema is Debezium's transaction metadata block (event.block).
var BlockSchema = connectors.StructBuilder().Name("event.block").Version(1).Optional().
	Field("id", connectors.StringSchema).
	Field("total_order", connectors.Int64Schema).
	Field("data_collection_order", connectors.Int64Schema).
	MustBuild()

// EnvelopeSchema is <base>.Envelope as Debezium 3.x writes it (version 2):
// before and after of the row's value schema, the connector's source block,
// transaction, op, and the processing time as ts_ms, ts_us and ts_ns.
func EnvelopeSchema(base string, value, source *connectors.Schema) *connectors.Schema {
	return connectors.StructBuilder().Name(base+".Envelope").Version(2).
		Field("before", value).
		Field("after", value).
		Field("source", source).
		Field("transaction", BlockSchema).
		Field("op", connectors.StringSchema).
		Field("ts_ms", connectors.OptionalInt64Schema).
		Field("ts_us", connectors.OptionalInt64Schema).
		Field("ts_ns", connectors.OptionalInt64Schema).
		MustBuild()
}

// Table is what Event needs of a captured table: its topic, its envelope
// and key schemas, and the row fields the key is made of.
type Table struct {
	Topic    string
	Envelope *connectors.Schema
	Key      *connectors.Schema // nil: the table has no key, records are unkeyed
	KeyNames []string           // the value fields copied into the key, in key order
}

// Change is one row change to turn into records.
type Change struct {
	Op            string
	Before, After *connectors.Struct
	Source        *connectors.Struct
	Ts            time.Time // processing time: the envelope's ts_ms, ts_us and ts_ns
	Partition     map[string]any
	Offset        map[string]any
	// LazyOffset, with Offset nil, builds the records' offset when the
	// runtime reads it (connectors.Record.LazyOffset).
	LazyOffset connectors.OffsetBuilder
	Tombstone  bool // follow a delete with a tombstone (tombstones.on.delete)
	// Transaction is the event's transaction block (see Block); nil
	// without provide.transaction.metadata.
	Transaction *connectors.Struct
}

// opValues are the operations as field values, boxed once.
var opValues = [...]any{OpRead, OpCreate, OpUpdate, OpDelete}

// opValue is op as a field value without boxing it again.
func opValue(op string) any {
	for _, v := range opValues {
		if v.(string) == op {
			return v
		}
	}
	return op
}

// Event returns the change event of c on t and, after a delete when
// c.Tombstone is set, its tombstone (same key, null value, same offset).
func Event(t *Table, c Change) []*connectors.Record { return AppendEvent(nil, t, c) }

// AppendEvent appends Event's records to dst.
func AppendEvent(dst []*connectors.Record, t *Table, c Change) []*connectors.Record {
	env := connectors.NewStruct(t.Envelope)
	if c.Before != nil {
		env.Set(0, c.Before)
	}
	if c.After != nil {
		env.Set(1, c.After)
	}
	env.Set(2, c.Source)
	if c.Transaction != nil {
		env.Set(3, c.Transaction)
	}
	env.Set(4, opValue(c.Op))
	env.Set(5, c.Ts.UnixMilli())
	env.Set(6, c.Ts.UnixMicro())
	env.Set(7, c.Ts.UnixMicro()*1000)
	rec := connectors.NewSourceRecord(c.Partition, c.Offset, t.Topic, t.Envelope, env)
	rec.LazyOffset = c.LazyOffset
	row := c.After
	if row == nil {
		row = c.Before
	}
	if t.Key != nil && row != nil {
		k := connectors.NewStruct(t.Key)
		for i, name := range t.KeyNames {
			v, _ := row.Get(name)
			k.Set(i, v)
		}
		rec.KeySchema, rec.Key = t.Key, k
	}
	if c.Op != OpDelete || !c.Tombstone {
		return append(dst, rec)
	}
	tomb := connectors.NewSourceRecord(c.Partition, rec.SourceOffset, t.Topic, nil, nil)
	tomb.LazyOffset = rec.LazyOffset
	tomb.KeySchema, tomb.Key = rec.KeySchema, rec.Key
	return append(dst, rec, tomb)
}

// KeyChanged reports whether an update changed the row's key (the value
// fields t's key is made of): Debezium then writes a delete of the old key,
// its tombstone and a create instead of an update.
func KeyChanged(t *Table, before, after *connectors.Struct) bool {
	if t.Key == nil || before == nil || after == nil {
		return false
	}
	for _, name := range t.KeyNames {
		b, _ := before.Get(name)
		a, _ := after.Get(name)
		if !reflect.DeepEqual(b, a) {
			return true
		}
	}
	return false
}
