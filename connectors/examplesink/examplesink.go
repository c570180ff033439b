// Package examplesink is the worked example of docs/extending.md: a sink
// connector that writes each record's value to a file of its own in a
// directory, named <topic>+<partition>+<offset><extension>. Because the name
// is fixed by the record's Kafka coordinates, a retried invocation rewrites
// the same files, so at-least-once delivery leaves exactly one file per record.
//
// It is deliberately not in connectors/builtin: ferry does not ship it. Only
// docs/extending_test.go registers it, runs it end to end and so keeps the
// page honest.
package examplesink

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// Class is the connector's class name; the registry also finds it by its
// simple names DirectorySinkConnector and DirectorySink.
const Class = "com.example.ferry.DirectorySinkConnector"

// ErrIO is wrapped by every failure to create, write or sync a file; the
// message names the path. The caller fixes the directory or its permissions.
var ErrIO = errors.New("directory sink I/O error")

// ErrValueType is wrapped by the rejection of a record whose value is not
// text or bytes: set value.converter to StringConverter or ByteArrayConverter.
var ErrValueType = errors.New("directory sink writes only string or bytes values")

// Config is the connector's own configuration. Framework keys (topics,
// tasks.max, converters, transforms, errors.*) are declared by the runtime.
type Config struct {
	Directory string `config:"directory" required:"true" importance:"high" doc:"Directory the record files are written in; created when missing."`
	Extension string `config:"file.extension" default:".txt" importance:"low" doc:"Suffix of every record file."`
}

// Check applies the rules the tags cannot express. The scheduler calls it on
// create, update and /config/validate, so a bad value is refused up front.
func (c *Config) Check() error {
	if strings.ContainsRune(c.Extension, os.PathSeparator) {
		return connectors.ConfigErrors{{Key: "file.extension", Value: c.Extension, Reason: "must not contain a path separator"}}
	}
	return nil
}

// Plugin describes the connector to a registry: its class, its config
// declaration and its constructors.
func Plugin() connectors.Plugin {
	return connectors.Plugin{
		Class:        Class,
		Type:         connectors.TypeSink,
		Config:       Config{},
		NewConnector: func() connectors.Connector { return Connector{} },
		NewSink:      func() connectors.SinkTask { return &Task{} },
	}
}

// Connector splits the work: maxTasks identical task configs, as every sink
// whose tasks differ only in the topic-partitions the runtime assigns them.
type Connector struct{}

// TaskConfigs validates props and returns maxTasks copies of them.
func (Connector) TaskConfigs(ctx context.Context, props map[string]string, maxTasks int) ([]map[string]string, error) {
	var cfg Config
	if err := connectors.ParseChecked("directory sink", props, &cfg); err != nil {
		return nil, err
	}
	return connectors.SameTaskConfigs(props, maxTasks), nil
}

// Task writes one file per record. An instance lives for one invocation.
type Task struct {
	cfg Config
	// pending are the files written since the last Flush, not yet synced.
	pending []string
}

// Open parses props and creates the directory.
func (t *Task) Open(_ context.Context, props map[string]string) error {
	if err := connectors.ParseChecked("directory sink", props, &t.cfg); err != nil {
		return err
	}
	if err := os.MkdirAll(t.cfg.Directory, 0o755); err != nil {
		return fmt.Errorf("%w: create %s: %w", ErrIO, t.cfg.Directory, err)
	}
	return nil
}

// Put writes each record's value to its file. A value that is not text or
// bytes is rejected on its own (the runtime applies errors.tolerance to it);
// a failing write fails the whole batch.
func (t *Task) Put(_ context.Context, records []*connectors.Record) error {
	var rejected []connectors.RejectedRecord
	for _, r := range records {
		var data []byte
		switch v := r.Value.(type) {
		case string:
			data = []byte(v)
		case []byte:
			data = v
		default:
			rejected = append(rejected, connectors.RejectedRecord{Record: r,
				Err: fmt.Errorf("%w: %s-%d offset %d has a %T value", ErrValueType, r.Topic, r.Partition, r.Offset, r.Value)})
			continue
		}
		path := filepath.Join(t.cfg.Directory, fmt.Sprintf("%s+%d+%d%s", r.Topic, r.Partition, r.Offset, t.cfg.Extension))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return fmt.Errorf("%w: write %s: %w", ErrIO, path, err)
		}
		t.pending = append(t.pending, path)
	}
	if len(rejected) > 0 {
		return &connectors.RejectedError{Rejected: rejected}
	}
	return nil
}

// Flush fsyncs every file written since the last Flush and then the
// directory, so offsets are committed only for files that survive a crash.
func (t *Task) Flush(context.Context) error {
	if len(t.pending) == 0 {
		return nil
	}
	for _, path := range append(t.pending, t.cfg.Directory) {
		if err := syncPath(path); err != nil {
			return err
		}
	}
	t.pending = t.pending[:0]
	return nil
}

// syncPath fsyncs a file or directory.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: open %s: %w", ErrIO, path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("%w: fsync %s: %w", ErrIO, path, err)
	}
	return nil
}
