// Package datagen is a Go rebuild of Confluent's kafka-connect-datagen
// (io.confluent.kafka.connect.datagen.DatagenConnector) for its quickstarts:
// a source of random but realistic users, orders and pageviews records with
// the same config keys, record schemas, keys, headers and offsets.
//
// Unlike the Java connector, records are a pure function of (random.seed,
// task.id, iteration): a retried invocation regenerates exactly the records
// it produced before, which exactly-once delivery and duplicate detection
// rely on. Without random.seed the seed is derived from the connector name.
package datagen

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// Class is Confluent's connector class name.
const Class = "io.confluent.kafka.connect.datagen.DatagenConnector"

// Keys of the source partition, offset and headers, as Confluent's DatagenTask writes them.
const (
	TaskIDKey           = "task.id"
	TaskGenerationKey   = "task.generation"
	CurrentIterationKey = "current.iteration"
	// VirtualTimeKey is ferry's addition to the offset when max.interval > 0:
	// the virtual time (epoch ms) of the last record, so pacing survives
	// between invocations.
	VirtualTimeKey = "ferry.virtual.time"
)

// ErrOffset means a stored offset is not one this connector wrote: the
// caller must reset the connector's offsets.
var ErrOffset = errors.New("datagen offset is invalid")

// Config is DatagenConnector's configuration (DatagenConnectorConfig).
type Config struct {
	KafkaTopic     string                     `config:"kafka.topic" required:"true" importance:"high" doc:"Topic to write to"`
	MaxInterval    int64                      `config:"max.interval" default:"500" importance:"high" doc:"Max interval between messages (ms). ferry does not sleep: each invocation emits the records whose random gaps fit in the time elapsed since the last one; 0 emits as fast as possible."`
	Iterations     int                        `config:"iterations" default:"-1" importance:"high" doc:"Number of messages to send from each task, or less than 1 for unlimited"`
	SchemaString   string                     `config:"schema.string" default:"" importance:"high" doc:"The literal JSON-encoded Avro schema to use. Not supported by ferry: use quickstart."`
	SchemaFilename string                     `config:"schema.filename" default:"" importance:"high" doc:"Filename of schema to use. Not supported by ferry: use quickstart."`
	SchemaKeyfield string                     `config:"schema.keyfield" default:"" importance:"high" doc:"Name of field to use as the message key; defaults to the quickstart's key field."`
	Quickstart     string                     `config:"quickstart" default:"" importance:"high" doc:"Name of quickstart to use: users, orders or pageviews."`
	RandomSeed     connectors.Optional[int64] `config:"random.seed" importance:"low" doc:"Numeric seed for generating random data. Two connectors started with the same seed will deterministically produce the same data. Each task will generate different data than the other tasks in the same connector."`
}

// Check applies the rules Parse cannot express: a supported quickstart is
// required, custom Avro schemas are refused, and the key field must exist.
func (c *Config) Check() error {
	var errs connectors.ConfigErrors
	for _, kv := range [...][2]string{{"schema.string", c.SchemaString}, {"schema.filename", c.SchemaFilename}} {
		if kv[1] != "" {
			errs = append(errs, &connectors.ConfigError{Key: kv[0], Value: kv[1],
				Reason: "custom Avro schemas are not supported by ferry's datagen; use quickstart=" + strings.Join(quickstartNames(), "|")})
		}
	}
	q, ok := lookupQuickstart(c.Quickstart)
	switch {
	case !ok && len(errs) == 0:
		errs = append(errs, &connectors.ConfigError{Key: "quickstart", Value: c.Quickstart,
			Reason: "String must be one of: " + strings.Join(quickstartNames(), ", ")})
	case ok && c.SchemaKeyfield != "" && q.schema.Field(c.SchemaKeyfield) == nil:
		errs = append(errs, &connectors.ConfigError{Key: "schema.keyfield", Value: c.SchemaKeyfield,
			Reason: "no such field in the " + q.name + " quickstart schema"})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func parseConfig(props map[string]string) (Config, error) {
	var cfg Config
	if err := connectors.Declare(&cfg).Parse(props, &cfg); err != nil {
		return cfg, fmt.Errorf("datagen config: %w", err)
	}
	if err := cfg.Check(); err != nil {
		return cfg, fmt.Errorf("datagen config: %w", err)
	}
	return cfg, nil
}

// Plugin returns the DatagenConnector plugin.
func Plugin() connectors.Plugin {
	return connectors.Plugin{
		Class:        Class,
		Aliases:      []string{"datagen"},
		Type:         connectors.TypeSource,
		Config:       Config{},
		NewConnector: func() connectors.Connector { return Connector{} },
		NewSource:    func() connectors.SourceTask { return NewTask() },
	}
}

// Connector splits datagen into maxTasks independent generators.
type Connector struct{}

// TaskConfigs returns maxTasks copies of props, each with its task.id and
// with tasks.max set to the number of tasks, which orders uses to keep
// orderid unique across tasks.
func (Connector) TaskConfigs(ctx context.Context, props map[string]string, maxTasks int) ([]map[string]string, error) {
	if _, err := parseConfig(props); err != nil {
		return nil, err
	}
	n := max(maxTasks, 1)
	out := make([]map[string]string, n)
	for i := range out {
		m := make(map[string]string, len(props)+2)
		for k, v := range props {
			m[k] = v
		}
		m[TaskIDKey] = strconv.Itoa(i)
		m["tasks.max"] = strconv.Itoa(n)
		out[i] = m
	}
	return out, nil
}
