// Package s3sink is Confluent's S3 sink connector
// (io.confluent.connect.s3.S3SinkConnector) for ferry: records are written to
// S3 (or an S3-compatible store) as JSON, Parquet or raw bytes, one object per
// Kafka partition and encoded partition, named
// <topics.dir>/<topic>/<partition path>/<topic>+<kafkaPartition>+<startOffset>.<ext>
// exactly as Confluent names them. Files are committed when flush.size records
// are written or a rotation rule fires; an unfinished file is never written
// (its multipart upload is aborted) and its offsets are not committed, so the
// next invocation reads it again and writes the same object: exactly once.
package s3sink

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/storage"
)

// Class is the connector class, as Confluent ships it.
const Class = "io.confluent.connect.s3.S3SinkConnector"

// Errors the sink returns; each message says what to change.
var (
	// ErrBucket means s3.bucket.name names no bucket: create it or fix the name.
	ErrBucket = errors.New("s3 sink: bucket not found")
	// ErrCredentials means the store refused the credentials.
	ErrCredentials = errors.New("s3 sink: credentials refused")
	// ErrRecord means one record cannot be written (a null value); the
	// formats and partitioners return storage.ErrRecord.
	ErrRecord = errors.New("s3 sink: record cannot be written")
	// ErrSchema means a record's schema cannot become a Parquet schema.
	ErrSchema = storage.ErrSchema
)

// Plugin returns the S3 sink plugin.
func Plugin() connectors.Plugin {
	return connectors.Plugin{
		Class:        Class,
		Aliases:      []string{"S3Sink"},
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
		return nil, fmt.Errorf("s3 sink config: %w", err)
	}
	if err := cfg.Check(); err != nil {
		return nil, fmt.Errorf("s3 sink config: %w", err)
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
