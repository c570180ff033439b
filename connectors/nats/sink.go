package nats

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	natsio "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// SinkClass is the NATS sink connector's class name.
const SinkClass = "ferry.connect.nats.NatsSinkConnector"

// Header names the sink sets besides the record's own headers.
const (
	KeyHeader = "Kafka-Key"
)

// ErrValue is wrapped by the rejection of a record whose value is not text
// or bytes: set value.converter to StringConverter or ByteArrayConverter.
var ErrValue = errors.New("nats sink publishes only string or bytes values")

// SinkConfig is the NATS sink's configuration.
type SinkConfig struct {
	Conn
	Subject    string `config:"nats.subject" default:"${topic}" importance:"high" group:"Sink" doc:"Subject each record is published to; ${topic} is replaced by the record's topic."`
	Stream     string `config:"nats.stream" default:"" importance:"high" group:"Sink" doc:"JetStream stream that must store the messages: publish with JetStream (acknowledged, de-duplicated by Nats-Msg-Id = <topic>-<partition>-<offset> within the stream's duplicate window). Empty: core NATS publish."`
	MaxPending int    `config:"nats.max.pending" default:"4096" min:"1" max:"1000000" importance:"low" group:"Sink" doc:"JetStream: most publishes awaiting their acknowledgement at once."`
}

// Check applies the rules the tags cannot express.
func (c *SinkConfig) Check() error {
	var errs connectors.ConfigErrors
	if badName(c.Stream) {
		errs = append(errs, &connectors.ConfigError{Key: "nats.stream", Value: c.Stream, Reason: "must not contain whitespace, '.', '*', '>' or slashes"})
	}
	if c.Subject == "" || strings.ContainsAny(c.Subject, "*> \t") {
		errs = append(errs, &connectors.ConfigError{Key: "nats.subject", Value: c.Subject, Reason: "must be a subject without wildcards or whitespace"})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func parseSink(props map[string]string) (SinkConfig, error) {
	var cfg SinkConfig
	err := connectors.ParseChecked("nats sink", props, &cfg)
	return cfg, err
}

// Sink returns the NATS sink plugin.
func Sink() connectors.Plugin {
	return connectors.Plugin{
		Class:        SinkClass,
		Aliases:      []string{"nats-sink"},
		Type:         connectors.TypeSink,
		Config:       SinkConfig{},
		NewConnector: func() connectors.Connector { return sinkConnector{} },
		NewSink:      func() connectors.SinkTask { return &SinkTask{} },
	}
}

type sinkConnector struct{}

// TaskConfigs validates props and returns maxTasks copies of them.
func (sinkConnector) TaskConfigs(ctx context.Context, props map[string]string, maxTasks int) ([]map[string]string, error) {
	if _, err := parseSink(props); err != nil {
		return nil, err
	}
	return connectors.SameTaskConfigs(props, maxTasks), nil
}

// SinkTask publishes for one invocation.
type SinkTask struct {
	cfg SinkConfig
	nc  *natsio.Conn
	js  jetstream.JetStream
}

// Open connects and, for JetStream, checks that the stream exists.
func (t *SinkTask) Open(ctx context.Context, props map[string]string) error {
	cfg, err := parseSink(props)
	if err != nil {
		return err
	}
	t.cfg = cfg
	if t.nc, err = cfg.connect(props["name"]); err != nil {
		return err
	}
	if cfg.Stream == "" {
		return nil
	}
	if t.js, err = jetstream.New(t.nc, jetstream.WithPublishAsyncMaxPending(cfg.MaxPending)); err != nil {
		return fmt.Errorf("nats sink: %w", err)
	}
	if _, err := t.js.Stream(ctx, cfg.Stream); err != nil {
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("nats sink: stream %s (nats.stream) does not exist; create it with subjects covering %s: %w", cfg.Stream, cfg.Subject, err)
		}
		return fmt.Errorf("nats sink: stream %s: %w", cfg.Stream, transient(err))
	}
	return nil
}

// message builds the NATS message of r, or a rejection.
func (t *SinkTask) message(r *connectors.Record) (*natsio.Msg, error) {
	m := natsio.NewMsg(strings.ReplaceAll(t.cfg.Subject, "${topic}", r.Topic))
	switch v := r.Value.(type) {
	case nil:
	case string:
		m.Data = []byte(v)
	case []byte:
		m.Data = v
	default:
		return nil, fmt.Errorf("%w: %s-%d offset %d has a %T value", ErrValue, r.Topic, r.Partition, r.Offset, r.Value)
	}
	switch k := r.Key.(type) {
	case string:
		m.Header.Set(KeyHeader, k)
	case []byte:
		m.Header.Set(KeyHeader, string(k))
	}
	for _, h := range r.Headers {
		if h.Value != nil {
			m.Header.Add(h.Key, fmt.Sprint(h.Value))
		}
	}
	m.Header.Set(jetstream.MsgIDHeader, r.Topic+"-"+strconv.Itoa(int(r.Partition))+"-"+strconv.FormatInt(r.Offset, 10))
	return m, nil
}

// Put publishes records. JetStream publishes are awaited here, at most
// nats.max.pending at a time, so Flush has nothing left; a message the
// server refuses (too large, no stream for the subject) rejects its record
// alone.
func (t *SinkTask) Put(ctx context.Context, records []*connectors.Record) error {
	var rejected []connectors.RejectedRecord
	for len(records) > 0 {
		chunk := records[:min(len(records), t.cfg.MaxPending)]
		records = records[len(chunk):]
		refused, err := t.publish(ctx, chunk)
		if err != nil {
			return err
		}
		rejected = append(rejected, refused...)
	}
	if len(rejected) > 0 {
		return &connectors.RejectedError{Rejected: rejected}
	}
	return nil
}

// publish sends records (at most nats.max.pending) and, for JetStream,
// waits for their acknowledgements.
func (t *SinkTask) publish(ctx context.Context, records []*connectors.Record) ([]connectors.RejectedRecord, error) {
	var rejected []connectors.RejectedRecord
	var acks []jetstream.PubAckFuture
	var owners []*connectors.Record
	for _, r := range records {
		m, err := t.message(r)
		if err == nil {
			if t.js == nil {
				err = t.nc.PublishMsg(m)
			} else {
				var f jetstream.PubAckFuture
				if f, err = t.js.PublishMsgAsync(m, jetstream.WithExpectStream(t.cfg.Stream)); err == nil {
					acks, owners = append(acks, f), append(owners, r)
				}
			}
		}
		if err != nil {
			if tr := transient(err); connectors.IsRetriable(tr) || errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
				return nil, fmt.Errorf("nats sink: publish: %w", connectors.Retriable(err))
			}
			rejected = append(rejected, connectors.RejectedRecord{Record: r, Err: fmt.Errorf("nats sink: %s-%d offset %d: %w", r.Topic, r.Partition, r.Offset, err)})
		}
	}
	refused, err := t.await(ctx, acks, owners)
	return append(rejected, refused...), err
}

// await waits for the JetStream acknowledgements; a timeout or lost
// connection fails the batch as retriable (its retry is de-duplicated).
func (t *SinkTask) await(ctx context.Context, acks []jetstream.PubAckFuture, owners []*connectors.Record) ([]connectors.RejectedRecord, error) {
	var rejected []connectors.RejectedRecord
	for i, f := range acks {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			var apiErr *jetstream.APIError
			if errors.As(err, &apiErr) && apiErr.Code < 500 && !errors.Is(err, jetstream.ErrNoStreamResponse) {
				r := owners[i]
				rejected = append(rejected, connectors.RejectedRecord{Record: r, Err: fmt.Errorf("nats sink: %s-%d offset %d refused by stream %s: %w", r.Topic, r.Partition, r.Offset, t.cfg.Stream, err)})
				continue
			}
			return nil, fmt.Errorf("nats sink: publish to stream %s: %w", t.cfg.Stream, connectors.Retriable(err))
		case <-ctx.Done():
			return nil, fmt.Errorf("nats sink: waiting for acknowledgements: %w", connectors.Retriable(ctx.Err()))
		}
	}
	return rejected, nil
}

// Flush makes core publishes reach the server (a round trip).
func (t *SinkTask) Flush(ctx context.Context) error {
	if err := t.nc.FlushWithContext(ctx); err != nil {
		return fmt.Errorf("nats sink: flush: %w", connectors.Retriable(err))
	}
	return nil
}

// Close closes the connection.
func (t *SinkTask) Close() error {
	if t.nc != nil {
		t.nc.Close()
	}
	return nil
}
