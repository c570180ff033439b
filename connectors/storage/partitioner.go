package storage

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// Partitioner turns a record into the encoded partition of its file path,
// as Confluent's storage partitioners (encodePartition).
type Partitioner interface {
	// Encode returns the partition path of r, whose extracted timestamp is ts.
	Encode(r *connectors.Record, ts int64) (string, error)
	// TimeBased reports whether a change of encoded partition rotates files
	// under rotate.interval.ms, as for Confluent's TimeBasedPartitioner.
	TimeBased() bool
}

// NewPartitioner builds the partitioner named by cfg.PartitionerClass;
// FieldPartitioner joins its fields with dirDelim (directory.delim).
func NewPartitioner(cfg *PartitionerConfig, dirDelim string) (Partitioner, error) {
	switch partitionerOf(cfg.PartitionerClass) {
	case "default":
		return defaultPartitioner{}, nil
	case "field":
		return fieldPartitioner{fields: cfg.PartitionFields, delim: dirDelim}, nil
	case "hourly":
		return newTimePartitioner(cfg, "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", time.Hour.Milliseconds())
	case "daily":
		return newTimePartitioner(cfg, "'year'=YYYY/'month'=MM/'day'=dd", 24*time.Hour.Milliseconds())
	default:
		return newTimePartitioner(cfg, cfg.PathFormat, cfg.PartitionMs)
	}
}

// defaultPartitioner encodes "partition=<kafka partition>".
type defaultPartitioner struct{}

func (defaultPartitioner) Encode(r *connectors.Record, _ int64) (string, error) {
	if p := int(r.Partition); p >= 0 && p < len(partitionNames()) {
		return partitionNames()[p], nil
	}
	return "partition=" + strconv.Itoa(int(r.Partition)), nil
}

// partitionNames are the encoded names of the first partitions, so that
// encoding a record's partition allocates nothing; built on first use, not
// at init.
var partitionNames = sync.OnceValue(func() *[256]string {
	var names [256]string
	for i := range names {
		names[i] = "partition=" + strconv.Itoa(i)
	}
	return &names
})

func (defaultPartitioner) TimeBased() bool { return false }

// fieldPartitioner encodes "<field>=<value>" for each partition.field.name,
// joined by directory.delim.
type fieldPartitioner struct {
	fields []string
	delim  string
}

func (p fieldPartitioner) TimeBased() bool { return false }

func (p fieldPartitioner) Encode(r *connectors.Record, _ int64) (string, error) {
	parts := make([]string, len(p.fields))
	for i, name := range p.fields {
		v, err := fieldValue(r.Value, name)
		if err != nil {
			return "", err
		}
		s, err := partitionText(v)
		if err != nil {
			return "", fmt.Errorf("%w: partition field %q: %w", ErrRecord, name, err)
		}
		parts[i] = name + "=" + s
	}
	return strings.Join(parts, p.delim), nil
}

// fieldValue reads a top-level field from a Struct or a schemaless map.
func fieldValue(value any, name string) (any, error) {
	switch v := value.(type) {
	case *connectors.Struct:
		if v.Schema().Field(name) == nil {
			return nil, fmt.Errorf("%w: the value has no field %q", ErrRecord, name)
		}
		return v.Get(name)
	case map[string]any:
		x, ok := v[name]
		if !ok {
			return nil, fmt.Errorf("%w: the value has no field %q", ErrRecord, name)
		}
		return x, nil
	}
	return nil, fmt.Errorf("%w: field %q: the value is %T, not a struct or map", ErrRecord, name, value)
}

func partitionText(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int8, int16, int32, int64, int:
		return fmt.Sprint(x), nil
	}
	return "", fmt.Errorf("type %T is not supported: use an integer, string or boolean field", v)
}

// timePartitioner is Confluent's TimeBasedPartitioner: the timestamp, floored
// to partition.duration.ms in the time zone, printed with path.format.
type timePartitioner struct {
	durationMs int64
	loc        *time.Location
	format     []jodaToken
}

func newTimePartitioner(cfg *PartitionerConfig, pathFormat string, durationMs int64) (Partitioner, error) {
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, &connectors.ConfigError{Key: "timezone", Value: cfg.Timezone, Reason: err.Error()}
	}
	toks, err := parseJoda(pathFormat)
	if err != nil {
		return nil, &connectors.ConfigError{Key: "path.format", Value: pathFormat, Reason: err.Error()}
	}
	return &timePartitioner{durationMs: durationMs, loc: loc, format: toks}, nil
}

func (p *timePartitioner) TimeBased() bool { return true }

func (p *timePartitioner) Encode(_ *connectors.Record, ts int64) (string, error) {
	return formatJoda(p.format, time.UnixMilli(FloorInZone(ts, p.durationMs, p.loc)).In(p.loc)), nil
}

// FloorInZone is TimeBasedPartitioner.getPartition: floor the local wall time
// ts (epoch ms) to durationMs in loc, then convert back to UTC.
func FloorInZone(ts, durationMs int64, loc *time.Location) int64 {
	_, off := time.UnixMilli(ts).In(loc).Zone()
	local := ts + int64(off)*1000
	floored := local - mod(local, durationMs)
	// convertLocalToUTC: the offset in force at the floored local time.
	_, off2 := time.UnixMilli(floored - int64(off)*1000).In(loc).Zone()
	return floored - int64(off2)*1000
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// Extractor is a timestamp.extractor: the time a record is partitioned and
// rotated by, in epoch milliseconds.
type Extractor func(r *connectors.Record) (int64, error)

// NewExtractor builds the timestamp.extractor of cfg; Wallclock reads now.
func NewExtractor(cfg *PartitionerConfig, now func() time.Time) Extractor {
	switch extractorOf(cfg.TimestampExtract) {
	case "record":
		return func(r *connectors.Record) (int64, error) {
			if r.Timestamp == connectors.NoTimestamp {
				return 0, fmt.Errorf("%w: the record has no timestamp (timestamp.extractor=Record)", ErrRecord)
			}
			return r.Timestamp, nil
		}
	case "field":
		field := cfg.TimestampField
		return func(r *connectors.Record) (int64, error) { return fieldTimestamp(r.Value, field) }
	default:
		return func(*connectors.Record) (int64, error) { return now().UnixMilli(), nil }
	}
}

// fieldTimestamp reads timestamp.field (nested names separated by dots) as
// a Timestamp, a long of epoch milliseconds or an ISO-8601 string.
func fieldTimestamp(value any, path string) (int64, error) {
	v := value
	for _, name := range strings.Split(path, ".") {
		var err error
		if v, err = fieldValue(v, name); err != nil {
			return 0, fmt.Errorf("timestamp.field %q: %w", path, err)
		}
	}
	switch x := v.(type) {
	case time.Time:
		return x.UnixMilli(), nil
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return 0, fmt.Errorf("%w: timestamp.field %q: %q is not an ISO-8601 time", ErrRecord, path, x)
		}
		return t.UnixMilli(), nil
	}
	return 0, fmt.Errorf("%w: timestamp.field %q has type %T: use a Timestamp, long or string field", ErrRecord, path, v)
}
