package debezium

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// Transaction metadata (provide.transaction.metadata=true), as Debezium's
// TransactionMonitor writes it: a BEGIN and an END record per transaction
// on <topic.prefix>.<topic.transaction>, and each change event's
// transaction block (id, total_order, data_collection_order).

// DefaultTxTopic is topic.transaction's default: the transaction topic is
// <topic.prefix>.transaction.
const DefaultTxTopic = "transaction"

// Offset keys of the transaction in progress, Debezium's
// TransactionContext: its id and, per table, the events written so far.
const (
	OffsetTxID         = "transaction_id"
	OffsetTxOrderTable = "transaction_data_collection_order_"
	// OffsetTxTables is ferry's: the tables in the order of their first
	// event, which the order of an END's data_collections depends on.
	OffsetTxTables = "ferry_transaction_tables"
)

// The transaction statuses.
const (
	TxBegin = "BEGIN"
	TxEnd   = "END"
)

// Debezium's transaction topic schemas (SchemaFactory): the key, the
// value, and the per-table count in an END's data_collections.
var (
	TxKeySchema = connectors.StructBuilder().Name("io.debezium.connector.common.TransactionMetadataKey").Version(1).
			Field("id", connectors.StringSchema).MustBuild()
	txCollectionSchema = connectors.StructBuilder().Name("event.collection").Version(1).Optional().
				Field("data_collection", connectors.StringSchema).
				Field("event_count", connectors.Int64Schema).MustBuild()
	TxValueSchema = connectors.StructBuilder().Name("io.debezium.connector.common.TransactionMetadataValue").Version(1).
			Field("status", connectors.StringSchema).
			Field("id", connectors.StringSchema).
			Field("event_count", connectors.OptionalInt64Schema).
			Field("data_collections", connectors.ArrayOf(txCollectionSchema).Optional().MustBuild()).
			Field("ts_ms", connectors.Int64Schema).MustBuild()
)

// TxContext is the transaction in progress and its event counts, kept in
// every offset so that counting goes on across invocations.
type TxContext struct {
	ID     string // "": no transaction in progress
	total  int64
	counts map[string]int64
	order  []string // tables in the order of their first event
	slots  int      // the table of Java's HashMap the counts are iterated from
}

// InProgress reports whether a transaction is open.
func (c *TxContext) InProgress() bool { return c.ID != "" }

// Begin opens transaction id with no events.
func (c *TxContext) Begin(id string) {
	c.End()
	c.ID = id
}

// End closes the transaction.
func (c *TxContext) End() {
	c.ID, c.total, c.order = "", 0, c.order[:0]
	clear(c.counts)
}

// Event counts one event of table and returns its total_order and
// data_collection_order.
func (c *TxContext) Event(table string) (total, order int64) {
	if c.counts == nil {
		c.counts = map[string]int64{}
	}
	c.total++
	n, seen := c.counts[table]
	if !seen {
		c.order = append(c.order, table)
		c.slots = javaHashSlots(c.slots, len(c.order))
	}
	c.counts[table] = n + 1
	return c.total, n + 1
}

// Store adds the transaction's keys to an offset, as Debezium's
// TransactionContext.store.
func (c *TxContext) Store(off map[string]any) map[string]any {
	if c.ID != "" {
		off[OffsetTxID] = c.ID
	}
	for _, t := range c.order {
		off[OffsetTxOrderTable+t] = c.counts[t]
	}
	if len(c.order) > 1 {
		off[OffsetTxTables] = strings.Join(c.order, ",")
	}
	return off
}

// Load restores the transaction from a committed offset (Debezium's or
// ferry's); numbers may be any of the forms an offset store decodes.
func (c *TxContext) Load(off map[string]any) {
	c.End()
	c.ID, _ = off[OffsetTxID].(string)
	var tables []string
	for k := range off {
		if strings.HasPrefix(k, OffsetTxOrderTable) {
			tables = append(tables, k)
		}
	}
	sort.Strings(tables)
	if known, _ := off[OffsetTxTables].(string); known != "" { // ferry's: in first-event order
		first := strings.Split(known, ",")
		slices.SortStableFunc(tables, func(a, b string) int {
			return cmp.Compare(index(first, a[len(OffsetTxOrderTable):]), index(first, b[len(OffsetTxOrderTable):]))
		})
	}
	for _, k := range tables {
		n, ok := offsetInt(off[k])
		if !ok {
			continue
		}
		t := strings.TrimPrefix(k, OffsetTxOrderTable)
		if c.counts == nil {
			c.counts = map[string]int64{}
		}
		c.counts[t] = n
		c.order = append(c.order, t)
		c.total += n
	}
	c.slots = javaHashSlots(0, len(c.order))
}

// index is the position of t in first, or past its end.
func index(first []string, t string) int {
	if i := slices.Index(first, t); i >= 0 {
		return i
	}
	return len(first)
}

// Block is a change event's transaction block: the displayed id (the
// connector's form of it), its place in the transaction and in its table.
func Block(id string, total, order int64) *connectors.Struct {
	b := connectors.NewStruct(BlockSchema)
	b.Set(0, id)
	b.Set(1, total)
	b.Set(2, order)
	return b
}

// TxRecord is a BEGIN or END record of the transaction in c on topic,
// with the displayed id; an END carries the counts.
func TxRecord(c *TxContext, status, id, topic string, ts time.Time, partition, offset map[string]any) *connectors.Record {
	key := connectors.NewStruct(TxKeySchema)
	key.Set(0, id)
	v := connectors.NewStruct(TxValueSchema)
	v.Set(0, status)
	v.Set(1, id)
	if status == TxEnd {
		v.Set(2, c.total)
		cols := make([]any, 0, len(c.order))
		for _, t := range javaHashOrder(c.order, c.slots) {
			dc := connectors.NewStruct(txCollectionSchema)
			dc.Set(0, t)
			dc.Set(1, c.counts[t])
			cols = append(cols, dc)
		}
		v.Set(3, cols)
	}
	v.Set(4, ts.UnixMilli())
	r := connectors.NewSourceRecord(partition, offset, topic, TxValueSchema, v)
	r.KeySchema, r.Key = TxKeySchema, key
	return r
}

// Stamp counts the change events among recs (a change, or a delete and
// its tombstone, which shares its offset) as events of table: each gets
// its transaction block with the displayed id, and the counts in its offset.
func (c *TxContext) Stamp(recs []*connectors.Record, table, id string) {
	for _, r := range recs {
		env, ok := r.Value.(*connectors.Struct)
		if !ok {
			continue
		}
		total, order := c.Event(table)
		env.Set(3, Block(id, total, order))
		c.Store(r.SourceOffset)
	}
}
