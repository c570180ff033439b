// Package storage holds what Confluent's storage sinks (S3, HDFS) share, as
// Confluent's kafka-connect-storage-common does: the partitioners and
// timestamp extractors with their config keys (PartitionerConfig), and the
// record formats (JsonFormat, ByteArrayFormat, ParquetFormat).
package storage

import (
	"errors"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// Errors of one record; each message says what to change.
var (
	// ErrRecord means one record cannot be written (a missing partition
	// field, a value the format cannot encode).
	ErrRecord = errors.New("record cannot be written")
	// ErrSchema means a record's schema cannot become a Parquet schema.
	ErrSchema = errors.New("schema cannot become a Parquet schema")
)

// Class names of the partitioners, as Confluent ships them.
const (
	partitionerPkg       = "io.confluent.connect.storage.partitioner."
	DefaultPartitioner   = partitionerPkg + "DefaultPartitioner"
	FieldPartitioner     = partitionerPkg + "FieldPartitioner"
	TimeBasedPartitioner = partitionerPkg + "TimeBasedPartitioner"
	HourlyPartitioner    = partitionerPkg + "HourlyPartitioner"
	DailyPartitioner     = partitionerPkg + "DailyPartitioner"
)

// PartitionerConfig is the partitioner group of Confluent's storage sinks:
// their key names, defaults and meanings. Sinks embed it in their Config.
type PartitionerConfig struct {
	PartitionerClass string   `config:"partitioner.class" default:"io.confluent.connect.storage.partitioner.DefaultPartitioner" type:"CLASS" importance:"high" group:"Partitioner" doc:"The partitioner to use when writing data to the store."`
	PartitionFields  []string `config:"partition.field.name" default:"" importance:"medium" group:"Partitioner" doc:"The name of the partitioning fields when FieldPartitioner is used."`
	PathFormat       string   `config:"path.format" default:"" importance:"medium" group:"Partitioner" doc:"Joda DateTimeFormatter pattern of the time-based partition path, e.g. 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH."`
	PartitionMs      int64    `config:"partition.duration.ms" default:"-1" importance:"medium" group:"Partitioner" doc:"The duration of a partition in milliseconds, used by TimeBasedPartitioner."`
	Locale           string   `config:"locale" default:"" importance:"medium" group:"Partitioner" doc:"The locale to use when partitioning with TimeBasedPartitioner."`
	Timezone         string   `config:"timezone" default:"" importance:"medium" group:"Partitioner" doc:"The timezone to use when partitioning with TimeBasedPartitioner (an IANA name)."`
	TimestampExtract string   `config:"timestamp.extractor" default:"Wallclock" importance:"medium" group:"Partitioner" doc:"The extractor that gets the timestamp for records when partitioning: Wallclock, Record, RecordField."`
	TimestampField   string   `config:"timestamp.field" default:"timestamp" importance:"medium" group:"Partitioner" doc:"The record field to be used as timestamp by the RecordField timestamp extractor."`
}

// Check applies the partitioner rules Parse cannot express, naming the key to fix.
func (c *PartitionerConfig) Check() connectors.ConfigErrors {
	var errs connectors.ConfigErrors
	bad := func(key, val, why string) {
		errs = append(errs, &connectors.ConfigError{Key: key, Value: val, Reason: why})
	}
	kind := partitionerOf(c.PartitionerClass)
	switch kind {
	case "":
		bad("partitioner.class", c.PartitionerClass, "ferry supports DefaultPartitioner, FieldPartitioner, TimeBasedPartitioner, HourlyPartitioner and DailyPartitioner")
	case "field":
		if len(c.PartitionFields) == 0 {
			bad("partition.field.name", "", "FieldPartitioner needs at least one field name")
		}
	case "time":
		if c.PathFormat == "" {
			bad("path.format", "", "TimeBasedPartitioner needs a path format")
		}
		if c.PartitionMs <= 0 {
			bad("partition.duration.ms", "-1", "TimeBasedPartitioner needs a positive partition duration")
		}
	}
	if kind == "time" || kind == "hourly" || kind == "daily" {
		if c.Locale == "" {
			bad("locale", "", "time-based partitioners need a locale, e.g. en-US")
		}
		if c.Timezone == "" {
			bad("timezone", "", "time-based partitioners need a timezone, e.g. UTC")
		} else if _, err := time.LoadLocation(c.Timezone); err != nil {
			bad("timezone", c.Timezone, err.Error())
		}
	}
	if extractorOf(c.TimestampExtract) == "" {
		bad("timestamp.extractor", c.TimestampExtract, "must be Wallclock, Record or RecordField")
	}
	return errs
}

// Location is the time zone of timezone, UTC when none is set.
func (c *PartitionerConfig) Location() *time.Location {
	if loc, err := time.LoadLocation(c.Timezone); err == nil && c.Timezone != "" {
		return loc
	}
	return time.UTC
}

// Wallclock reports whether timestamp.extractor is Wallclock.
func (c *PartitionerConfig) Wallclock() bool { return extractorOf(c.TimestampExtract) == "wallclock" }

// simpleName returns the part of a class name after its last dot.
func simpleName(class string) string { return class[strings.LastIndex(class, ".")+1:] }

// partitionerOf maps a partitioner.class to default, field, time, hourly or daily.
func partitionerOf(class string) string {
	switch simpleName(class) {
	case "DefaultPartitioner":
		return "default"
	case "FieldPartitioner":
		return "field"
	case "TimeBasedPartitioner":
		return "time"
	case "HourlyPartitioner":
		return "hourly"
	case "DailyPartitioner":
		return "daily"
	}
	return ""
}

// ReadsValues reports whether the partitioner or the timestamp extractor
// reads fields of a record's value (FieldPartitioner, RecordField).
func (c *PartitionerConfig) ReadsValues() bool {
	return partitionerOf(c.PartitionerClass) == "field" || extractorOf(c.TimestampExtract) == "field"
}

// extractorOf maps a timestamp.extractor to wallclock, record or field.
func extractorOf(name string) string {
	switch simpleName(name) {
	case "Wallclock", "WallclockTimestampExtractor":
		return "wallclock"
	case "Record", "RecordTimestampExtractor":
		return "record"
	case "RecordField", "RecordFieldTimestampExtractor":
		return "field"
	}
	return ""
}
