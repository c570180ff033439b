// Package file is Kafka Connect's FileStream connectors: a source that turns
// each line of a file into a record and a sink that appends each record's
// value to a file as a line. They exist for demos, tests and benchmarks, and
// keep Kafka Connect's config keys and offset format so a FileStreamSource
// config and its committed offsets carry over unchanged.
package file

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// Class names of the two plugins, as Kafka Connect ships them.
const (
	SourceClass = "org.apache.kafka.connect.file.FileStreamSourceConnector"
	SinkClass   = "org.apache.kafka.connect.file.FileStreamSinkConnector"
)

// Offset map keys, verbatim from FileStreamSourceTask.
const (
	FilenameField = "filename"
	PositionField = "position"
)

// ErrIO is wrapped by every failure to open, read, write or sync a file; the
// message names the file. The caller fixes the path or permissions and retries.
var ErrIO = errors.New("file connector I/O error")

// ErrOffset means a stored offset is not one this connector wrote: the
// caller must reset the connector's offsets.
var ErrOffset = errors.New("file connector offset is invalid")

// SourceConfig is FileStreamSourceConnector's configuration.
type SourceConfig struct {
	File      string `config:"file" importance:"high" doc:"Source filename. ferry requires it: functions have no standard input."`
	Topic     string `config:"topic" required:"true" importance:"high" doc:"The topic to publish data to."`
	BatchSize int    `config:"batch.size" default:"2000" min:"1" importance:"low" doc:"The maximum number of records the source task can read from the file each time it is polled."`
}

// Check applies the rules Parse cannot express: a file is needed and the
// topic must be a single name, as FileStreamSourceConnector requires.
func (c *SourceConfig) Check() error {
	var errs connectors.ConfigErrors
	if c.File == "" {
		errs = append(errs, &connectors.ConfigError{Key: "file", Value: "", Reason: "file must be set: ferry functions have no stdin"})
	}
	if strings.Contains(c.Topic, ",") {
		errs = append(errs, &connectors.ConfigError{Key: "topic", Value: c.Topic,
			Reason: "'topic' in FileStreamSourceConnector configuration requires definition of a single topic"})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// SinkConfig is FileStreamSinkConnector's own configuration; topics and
// topics.regex are framework keys (connectors.SinkConnectorConfig).
type SinkConfig struct {
	File string `config:"file" importance:"high" doc:"Destination filename. ferry requires it: functions have no standard output."`
}

// Check requires the file, which Kafka Connect lets default to stdout.
func (c *SinkConfig) Check() error {
	if c.File == "" {
		return connectors.ConfigErrors{{Key: "file", Value: "", Reason: "file must be set: ferry functions have no stdout"}}
	}
	return nil
}

// parse reads props into cfg (a *SourceConfig or *SinkConfig) and checks it.
func parse[T connectors.Checker](props map[string]string, cfg T) error {
	if err := connectors.Declare(cfg).Parse(props, cfg); err != nil {
		return fmt.Errorf("file connector config: %w", err)
	}
	if err := cfg.Check(); err != nil {
		return fmt.Errorf("file connector config: %w", err)
	}
	return nil
}

// Source returns the FileStreamSource plugin.
func Source() connectors.Plugin {
	return connectors.Plugin{
		Class:        SourceClass,
		Type:         connectors.TypeSource,
		Config:       SourceConfig{},
		NewConnector: func() connectors.Connector { return SourceConnector{} },
		NewSource:    func() connectors.SourceTask { return NewSourceTask() },
	}
}

// Sink returns the FileStreamSink plugin.
func Sink() connectors.Plugin {
	return connectors.Plugin{
		Class:        SinkClass,
		Type:         connectors.TypeSink,
		Config:       SinkConfig{},
		NewConnector: func() connectors.Connector { return SinkConnector{} },
		NewSink:      func() connectors.SinkTask { return NewSinkTask() },
	}
}

// SourceConnector gives the file source its single task, as Kafka Connect:
// one file cannot be split between readers.
type SourceConnector struct{}

// TaskConfigs validates props and returns one task config equal to props.
func (SourceConnector) TaskConfigs(ctx context.Context, props map[string]string, _ int) ([]map[string]string, error) {
	var cfg SourceConfig
	if err := parse(props, &cfg); err != nil {
		return nil, err
	}
	return connectors.SameTaskConfigs(props, 1), nil
}

// SinkConnector gives the file sink maxTasks identical task configs; the
// runtime assigns topic-partitions, and every task appends to the same file.
type SinkConnector struct{}

// TaskConfigs validates props and returns maxTasks copies of them.
func (SinkConnector) TaskConfigs(ctx context.Context, props map[string]string, maxTasks int) ([]map[string]string, error) {
	var cfg SinkConfig
	if err := parse(props, &cfg); err != nil {
		return nil, err
	}
	return connectors.SameTaskConfigs(props, maxTasks), nil
}
