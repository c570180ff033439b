// Package timestamprouter is Kafka Connect's TimestampRouter: it sets the
// topic from a format combining the topic and the record timestamp (UTC).
package timestamprouter

import (
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
	"github.com/ferryhq/ferry/transforms/simpledateformat"
)

// Config is TimestampRouter's configuration, key names as Kafka Connect's.
type Config struct {
	TopicFormat     string `config:"topic.format" default:"${topic}-${timestamp}" importance:"high" doc:"Format string which can contain ${topic} and ${timestamp} as placeholders for the topic and timestamp, respectively."`
	TimestampFormat string `config:"timestamp.format" default:"yyyyMMdd" importance:"high" doc:"Format string for the timestamp that is compatible with java.text.SimpleDateFormat."`
}

// Transform is one configured TimestampRouter.
type Transform struct {
	topicFormat string
	format      *simpledateformat.Format
}

// New configures TimestampRouter.
func New(props map[string]string) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	f, err := simpledateformat.Compile(c.TimestampFormat)
	if err != nil {
		return nil, &connectors.ConfigError{Key: "timestamp.format", Value: c.TimestampFormat, Reason: err.Error()}
	}
	return &Transform{topicFormat: c.TopicFormat, format: f}, nil
}

// Apply routes the record to the formatted topic.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	if r.Timestamp == connectors.NoTimestamp {
		return nil, operand.Data("Timestamp missing on record: %s", r.Coordinates())
	}
	ts := t.format.Format(time.UnixMilli(r.Timestamp))
	c := r
	if !owned {
		c = r.Clone()
	}
	c.Topic = strings.ReplaceAll(strings.ReplaceAll(t.topicFormat, "${topic}", r.Topic), "${timestamp}", ts)
	return c, nil
}

// ApplyInPlace is Apply for a record only the chain references: it is changed instead of copied.
func (t *Transform) ApplyInPlace(r *connectors.Record, own operand.Owned) (*connectors.Record, error) {
	return t.apply(r, own.Record)
}

// Apply runs the transformation on r, which it does not change.
func (t *Transform) Apply(r *connectors.Record) (*connectors.Record, error) { return t.apply(r, false) }
