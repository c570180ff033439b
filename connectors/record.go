package connectors

import (
	"fmt"
	"time"
)

// NoPartition marks a record whose Kafka partition is not chosen yet.
const NoPartition int32 = -1

// NoTimestamp marks a record without a timestamp, as Kafka's -1.
const NoTimestamp int64 = -1

// Header is one record header: a key and a value with an optional schema.
type Header struct {
	Key    string
	Schema *Schema
	Value  any
}

// Record is the unit that flows through ferry: a source record on its way to
// Kafka or a sink record read from Kafka, as Kafka Connect's ConnectRecord.
type Record struct {
	Topic string
	// Partition is the Kafka partition, or NoPartition to let the producer pick.
	Partition int32
	// Offset is the Kafka offset of a sink record (unused for source records).
	Offset int64
	// Timestamp is epoch milliseconds, or NoTimestamp.
	Timestamp   int64
	KeySchema   *Schema
	Key         any
	ValueSchema *Schema
	Value       any
	Headers     []Header
	// SourcePartition and SourceOffset locate a source record in its origin
	// (file name and position, table and id); values are primitives only.
	SourcePartition map[string]any
	SourceOffset    map[string]any
	// LazyOffset, when SourceOffset is nil, builds the source offset when it
	// is read: a source producing many records carries a few words per
	// record instead of a map, and the runtime builds the map only for the
	// records whose offsets it commits or reports. Read a source record's
	// offset with SourceOffsetMap.
	LazyOffset OffsetBuilder
}

// OffsetBuilder builds a source record's offset map on demand. Each call
// returns a new map with the same entries; it must not depend on anything
// that changes after the record is returned by Poll.
type OffsetBuilder interface {
	BuildOffset() map[string]any
}

// SourceOffsetMap returns the record's source offset: SourceOffset, or the
// map LazyOffset builds when SourceOffset is nil.
func (r *Record) SourceOffsetMap() map[string]any {
	if r.SourceOffset == nil && r.LazyOffset != nil {
		return r.LazyOffset.BuildOffset()
	}
	return r.SourceOffset
}

// NewSourceRecord returns a record for topic with the given origin and value.
func NewSourceRecord(partition, offset map[string]any, topic string, valueSchema *Schema, value any) *Record {
	return &Record{
		Topic: topic, Partition: NoPartition, Offset: -1, Timestamp: NoTimestamp,
		ValueSchema: valueSchema, Value: value,
		SourcePartition: partition, SourceOffset: offset,
	}
}

// Clone returns a shallow copy whose header slice may be changed independently,
// the counterpart of ConnectRecord.newRecord.
func (r *Record) Clone() *Record {
	c := *r
	if r.Headers != nil {
		c.Headers = append([]Header(nil), r.Headers...)
	}
	return &c
}

// Time returns the record timestamp as a time, and whether it has one.
func (r *Record) Time() (time.Time, bool) {
	if r.Timestamp == NoTimestamp {
		return time.Time{}, false
	}
	return time.UnixMilli(r.Timestamp).UTC(), true
}

// Coordinates names where a record came from, for error messages and logs.
func (r *Record) Coordinates() string {
	if r.SourcePartition != nil {
		return fmt.Sprintf("source partition %v, offset %v", r.SourcePartition, r.SourceOffsetMap())
	}
	return fmt.Sprintf("topic=%q partition=%d offset=%d", r.Topic, r.Partition, r.Offset)
}

func formatAny(v any) string {
	switch x := v.(type) {
	case []byte:
		return fmt.Sprintf("%v", x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(x)
	}
}
