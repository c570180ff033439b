// Package hdfssink is Confluent's HDFS 3 sink connector
// (io.confluent.connect.hdfs3.Hdfs3SinkConnector, and the older
// io.confluent.connect.hdfs.HdfsSinkConnector) for ferry: records are written
// to HDFS as JSON or Parquet, one file per Kafka partition and encoded
// partition (the partitioners are the S3 sink's, connectors/storage), named
// <topics.dir>/<topic>/<partition path>/<topic>+<kafkaPartition>+<startOffset>+<endOffset>.<ext>
// as Confluent names them.
//
// Files are written under <topics.dir>/+tmp/ and renamed into place when
// flush.size records are written or a rotation rule fires: a committed file
// is always whole. An invocation that stops early leaves its temporary files
// unrenamed and its offsets uncommitted (Committable), so the next one writes
// the same records again; before writing a record it looks for a committed
// file whose offsets cover it (the names carry the offsets) and skips it, so
// a retried invocation never commits a record twice: exactly once, with the
// Record or RecordField timestamp extractors (Wallclock may put a retried
// record under another time partition).
package hdfssink

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferryhq/ferry/connectors"
)

// Class names of the connector, as Confluent ships them.
const (
	Class       = "io.confluent.connect.hdfs3.Hdfs3SinkConnector"
	LegacyClass = "io.confluent.connect.hdfs.HdfsSinkConnector"
)

// Errors the sink returns; each message says what to change.
var (
	// ErrRecord means one record cannot be written: a null value, or a
	// partition path HDFS refuses (a ':' in a FieldPartitioner value).
	ErrRecord = errors.New("hdfs sink: record cannot be written")
)

// Plugin returns the HDFS 3 sink plugin.
func Plugin() connectors.Plugin {
	return connectors.Plugin{
		Class:        Class,
		Aliases:      []string{LegacyClass, "HdfsSink", "Hdfs3Sink"},
		Type:         connectors.TypeSink,
		Config:       Config{},
		NewConnector: func() connectors.Connector { return Connector{} },
		NewSink:      func() connectors.SinkTask { return NewTask() },
	}
}

// parse reads and checks the sink's config.
func parse(props map[string]string) (*Config, error) {
	var cfg Config
	if err := connectors.Declare(cfg).Parse(props, &cfg); err != nil {
		return nil, fmt.Errorf("hdfs sink config: %w", err)
	}
	if err := cfg.Check(); err != nil {
		return nil, fmt.Errorf("hdfs sink config: %w", err)
	}
	return &cfg, nil
}

// Connector validates the config and gives every task the same config; the
// runtime assigns topic-partitions to tasks.
type Connector struct{}

// TaskConfigs returns maxTasks copies of props.
func (Connector) TaskConfigs(ctx context.Context, props map[string]string, maxTasks int) ([]map[string]string, error) {
	if _, err := parse(props); err != nil {
		return nil, err
	}
	return connectors.SameTaskConfigs(props, maxTasks), nil
}
