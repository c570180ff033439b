package nats

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/connectors"
	natsio "github.com/nats-io/nats.go"
)

// SourceClass is the NATS source connector's class name.
const SourceClass = "ferry.connect.nats.NatsSourceConnector"

// Source partition and offset keys.
const (
	StreamKey   = "stream"
	SubjectKey  = "subject"
	SequenceKey = "seq"
)

// ErrOffset means a committed offset is not a stream sequence: reset the connector's offsets.
var ErrOffset = errors.New("nats source offset is not a stream sequence")

// SourceConfig is the NATS source's configuration.
type SourceConfig struct {
	Conn
	Topic         string `config:"topic" required:"true" importance:"high" group:"Source" doc:"Kafka topic the messages are written to."`
	Subject       string `config:"nats.subject" default:"" importance:"high" group:"Source" doc:"Subject to read, wildcards allowed. Core NATS: required, the subscription's subject. JetStream: optional filter subject of the consumer."`
	Stream        string `config:"nats.stream" default:"" importance:"high" group:"Source" doc:"JetStream stream to read. Empty: read core NATS (only messages published while an invocation runs)."`
	Durable       string `config:"nats.durable" default:"" importance:"medium" group:"Source" doc:"Durable consumer name on the stream; empty: ferry-<connector name>. Recreated at the committed sequence when its state disagrees with the committed offset."`
	DeliverPolicy string `config:"nats.deliver.policy" default:"all" enum:"all,new,last" importance:"medium" group:"Source" doc:"Where a consumer with no committed offset starts: all (the first message), new (messages stored from now on), last (the last message)."`
	QueueGroup    string `config:"nats.queue.group" default:"" importance:"low" group:"Source" doc:"Core NATS: queue group of the subscription, so several tasks or connectors share the subject's messages."`
	BatchSize     int    `config:"nats.batch.size" default:"500" min:"1" max:"100000" importance:"low" group:"Source" doc:"Maximum messages per poll (JetStream fetch size)."`
	PollWait      int64  `config:"nats.poll.wait.ms" default:"500" min:"1" max:"60000" importance:"low" group:"Source" doc:"How long a poll waits for the first message; a poll that gets none ends the invocation."`
	AckWait       int64  `config:"nats.ack.wait.ms" default:"300000" min:"1000" importance:"low" group:"Source" doc:"JetStream consumer AckWait: how long a fetched message may stay unacknowledged (until its offset is committed) before the server redelivers it."`
}

// Check applies the rules the tags cannot express.
func (c *SourceConfig) Check() error {
	var errs connectors.ConfigErrors
	if c.Stream == "" && c.Subject == "" {
		errs = append(errs, &connectors.ConfigError{Key: "nats.subject", Value: "", Reason: "a core NATS source needs a subject; set nats.subject or nats.stream"})
	}
	for k, v := range map[string]string{"nats.stream": c.Stream, "nats.durable": c.Durable} {
		if badName(v) {
			errs = append(errs, &connectors.ConfigError{Key: k, Value: v, Reason: "must not contain whitespace, '.', '*', '>' or slashes"})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func parseSource(props map[string]string) (SourceConfig, error) {
	var cfg SourceConfig
	err := connectors.ParseChecked("nats source", props, &cfg)
	return cfg, err
}

// Source returns the NATS source plugin.
func Source() connectors.Plugin {
	return connectors.Plugin{
		Class:        SourceClass,
		Aliases:      []string{"nats-source"},
		Type:         connectors.TypeSource,
		Config:       SourceConfig{},
		NewConnector: func() connectors.Connector { return sourceConnector{} },
		NewSource:    func() connectors.SourceTask { return &SourceTask{} },
	}
}

type sourceConnector struct{}

// TaskConfigs returns one task for a stream (one durable consumer, one
// committed sequence) and maxTasks for core NATS with a queue group.
func (sourceConnector) TaskConfigs(ctx context.Context, props map[string]string, maxTasks int) ([]map[string]string, error) {
	cfg, err := parseSource(props)
	if err != nil {
		return nil, err
	}
	if cfg.Stream != "" || cfg.QueueGroup == "" {
		maxTasks = 1
	}
	return connectors.SameTaskConfigs(props, maxTasks), nil
}

// SourceTask reads for one invocation.
type SourceTask struct {
	cfg  SourceConfig
	nc   *natsio.Conn
	js   *jsReader
	core *natsio.Subscription
	msgs chan *natsio.Msg
}

// Open connects and, for a stream, positions the durable consumer after the committed sequence.
func (t *SourceTask) Open(ctx context.Context, props map[string]string, offsets connectors.OffsetReader) error {
	cfg, err := parseSource(props)
	if err != nil {
		return err
	}
	t.cfg = cfg
	if t.nc, err = cfg.connect(props["name"]); err != nil {
		return err
	}
	if cfg.Stream == "" {
		t.msgs = make(chan *natsio.Msg, 65536)
		if t.core, err = t.nc.ChanQueueSubscribe(cfg.Subject, cfg.QueueGroup, t.msgs); err != nil {
			return fmt.Errorf("nats source: subscribe %s: %w", cfg.Subject, transient(err))
		}
		return transient(t.nc.FlushWithContext(ctx))
	}
	durable := cfg.Durable
	if durable == "" {
		durable = "ferry-" + sanitize(props["name"])
	}
	if t.js, err = openStream(ctx, t.nc, &t.cfg, durable, offsets); err != nil {
		return err
	}
	t.js.task = t
	return nil
}

// Poll returns the next messages; none within nats.poll.wait.ms ends the invocation.
func (t *SourceTask) Poll(ctx context.Context) ([]*connectors.Record, error) {
	if t.js != nil {
		return t.js.poll(ctx)
	}
	wait := time.NewTimer(time.Duration(t.cfg.PollWait) * time.Millisecond)
	defer wait.Stop()
	var out []*connectors.Record
	for len(out) < t.cfg.BatchSize {
		var m *natsio.Msg
		if len(out) == 0 {
			select {
			case m = <-t.msgs:
			case <-wait.C:
				return nil, nil
			case <-ctx.Done():
				return nil, nil
			}
		} else {
			select {
			case m = <-t.msgs:
			default:
				return out, nil
			}
		}
		out = append(out, t.record(m, map[string]any{SubjectKey: t.cfg.Subject}, nil, time.Now()))
	}
	return out, nil
}

// record converts one message: key the subject, value the payload bytes,
// headers the message's headers.
func (t *SourceTask) record(m *natsio.Msg, partition, offset map[string]any, at time.Time) *connectors.Record {
	r := connectors.NewSourceRecord(partition, offset, t.cfg.Topic, connectors.OptionalBytesSchema, m.Data)
	r.KeySchema, r.Key = connectors.StringSchema, m.Subject
	r.Timestamp = at.UnixMilli()
	r.Headers = headers(m.Header)
	return r
}

// Commit acknowledges the stream messages whose offsets are committed.
func (t *SourceTask) Commit(ctx context.Context) error {
	if t.js == nil {
		return nil
	}
	return t.js.ack(ctx)
}

// Close unsubscribes and closes the connection.
func (t *SourceTask) Close() error {
	if t.nc == nil {
		return nil
	}
	if t.core != nil {
		t.core.Unsubscribe()
	}
	t.nc.Close()
	return nil
}

// sanitize makes a connector name a valid consumer name.
func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if badName(string(c)) {
			b[i] = '_'
		}
	}
	return string(b)
}
