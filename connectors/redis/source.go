package redis

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors"
	goredis "github.com/redis/go-redis/v9"
)

// SourceClass is the Redis Kafka connector's stream source class name.
const SourceClass = "com.redis.kafka.connect.RedisStreamSourceConnector"

// OffsetField is the source offset's key: the last stream entry ID read.
const OffsetField = "offset"

// ErrOffset means a committed or configured offset is not a stream ID:
// reset the connector's offsets or fix redis.stream.offset.
var ErrOffset = errors.New("redis stream offset is not a stream ID")

// ValueSchema is the schema of each record's value, as the Java connector's StreamMessageConverter.
var ValueSchema = connectors.StructBuilder().Name("com.redis.kafka.connect.stream.Value").
	Field("id", connectors.StringSchema).
	Field("body", connectors.MapOf(connectors.StringSchema, connectors.StringSchema).MustBuild()).
	Field("stream", connectors.StringSchema).MustBuild()

var streamID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d+(-\d+)?$`) })

// SourceConfig is RedisStreamSourceConnector's configuration (RedisStreamSourceConfigDef).
type SourceConfig struct {
	Conn
	Topic        string `config:"topic" default:"${stream}" importance:"medium" group:"Source" doc:"Name of the destination topic, which may contain '${stream}' as a placeholder for the originating stream name; redis_${stream} for the stream orders maps to redis_orders."`
	Stream       string `config:"redis.stream.name" required:"true" importance:"high" group:"Source" doc:"Name of the Redis stream to read from."`
	Offset       string `config:"redis.stream.offset" default:"0-0" importance:"medium" group:"Source" doc:"Stream ID to start reading after when no offset is committed (0-0: the whole stream; $: entries added after the first invocation)."`
	Delivery     string `config:"redis.stream.delivery" default:"at-least-once" enum:"at-least-once,at-most-once" importance:"medium" group:"Source" doc:"Accepted for compatibility: ferry resumes from the committed stream ID, so delivery is at least once (exactly once with exactly.once.support)."`
	Group        string `config:"redis.stream.consumer.group" default:"kafka-consumer-group" importance:"medium" group:"Source" doc:"Stream consumer group whose last-delivered ID is moved to the committed stream ID after each commit, so XINFO GROUPS shows the connector's progress."`
	ConsumerName string `config:"redis.stream.consumer.name" default:"consumer-${task}" importance:"medium" group:"Source" doc:"Accepted for compatibility; ferry reads with XRANGE from the committed ID and registers no consumer."`
	Block        int64  `config:"redis.stream.block" default:"100" min:"0" importance:"low" group:"Source" doc:"Accepted for compatibility: an invocation never blocks; an empty read ends it and the scheduler polls again after poll.interval.ms."`
	BatchSize    int    `config:"batch.size" default:"50" min:"1" max:"100000" importance:"low" group:"Source" doc:"Maximum number of stream entries read per poll (XRANGE COUNT)."`
}

// Check applies the rules the tags cannot express.
func (c *SourceConfig) Check() error {
	errs := c.Conn.check()
	if c.Offset != "$" && !streamID().MatchString(c.Offset) {
		errs = append(errs, &connectors.ConfigError{Key: "redis.stream.offset", Value: c.Offset, Reason: "must be a stream ID such as 0-0 or 1700000000000-0, or $"})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func parseSource(props map[string]string) (SourceConfig, error) {
	var cfg SourceConfig
	err := connectors.ParseChecked("redis stream source", props, &cfg)
	return cfg, err
}

// StreamSource returns the RedisStreamSourceConnector plugin.
func StreamSource() connectors.Plugin {
	return connectors.Plugin{
		Class:        SourceClass,
		Type:         connectors.TypeSource,
		Config:       SourceConfig{},
		NewConnector: func() connectors.Connector { return sourceConnector{} },
		NewSource:    func() connectors.SourceTask { return &SourceTask{} },
	}
}

type sourceConnector struct{}

// TaskConfigs returns one task: one stream has one committed position.
func (sourceConnector) TaskConfigs(ctx context.Context, props map[string]string, _ int) ([]map[string]string, error) {
	if _, err := parseSource(props); err != nil {
		return nil, err
	}
	return connectors.SameTaskConfigs(props, 1), nil
}

// SourceTask reads the stream after the committed ID. It lives for one invocation.
type SourceTask struct {
	cfg       SourceConfig
	cl        *goredis.Client
	last      string // last ID polled
	committed string // last ID told to the consumer group
}

// Open connects and finds where to resume: the committed offset, else redis.stream.offset.
func (t *SourceTask) Open(ctx context.Context, props map[string]string, offsets connectors.OffsetReader) error {
	cfg, err := parseSource(props)
	if err != nil {
		return err
	}
	t.cfg = cfg
	t.last = cfg.Offset
	if off := offsets.Offset(map[string]any{}); off != nil {
		id, _ := off[OffsetField].(string)
		if !streamID().MatchString(id) {
			return fmt.Errorf("%w: committed %s=%v", ErrOffset, OffsetField, off[OffsetField])
		}
		t.last = id
	}
	t.committed = t.last
	if t.cl, err = cfg.connect(ctx); err != nil {
		return err
	}
	if t.last == "$" {
		info, err := t.cl.XInfoStream(ctx, cfg.Stream).Result()
		switch {
		case err != nil && strings.Contains(err.Error(), "no such key"):
			t.last = "0-0"
		case err != nil:
			return fmt.Errorf("redis stream source: XINFO STREAM %s: %w", cfg.Stream, transient(err))
		default:
			t.last = info.LastGeneratedID
		}
	}
	return nil
}

// Poll returns up to batch.size entries after the last ID; none ends the invocation.
func (t *SourceTask) Poll(ctx context.Context) ([]*connectors.Record, error) {
	msgs, err := t.cl.XRangeN(ctx, t.cfg.Stream, "("+t.last, "+", int64(t.cfg.BatchSize)).Result()
	if err != nil {
		return nil, fmt.Errorf("redis stream source: XRANGE %s: %w", t.cfg.Stream, transient(err))
	}
	topic := strings.ReplaceAll(t.cfg.Topic, "${stream}", t.cfg.Stream)
	out := make([]*connectors.Record, len(msgs))
	for i, m := range msgs {
		out[i] = t.record(topic, m)
		t.last = m.ID
	}
	return out, nil
}

// record converts one entry as StreamMessageConverter does; the timestamp is
// the ID's milliseconds, so a re-read entry gets the same record.
func (t *SourceTask) record(topic string, m goredis.XMessage) *connectors.Record {
	body := make(map[string]any, len(m.Values))
	for k, v := range m.Values {
		body[k] = fmt.Sprint(v)
	}
	value := connectors.NewStruct(ValueSchema).MustPut("id", m.ID).MustPut("body", body).MustPut("stream", t.cfg.Stream)
	r := connectors.NewSourceRecord(map[string]any{}, map[string]any{OffsetField: m.ID}, topic, ValueSchema, value)
	r.KeySchema, r.Key = connectors.StringSchema, m.ID
	ms, _, _ := strings.Cut(m.ID, "-")
	if n, err := strconv.ParseInt(ms, 10, 64); err == nil {
		r.Timestamp = n
	}
	return r
}

// Commit moves the consumer group's last-delivered ID to the last committed
// entry, creating the group when missing.
func (t *SourceTask) Commit(ctx context.Context) error {
	if t.last == t.committed {
		return nil
	}
	err := t.cl.XGroupSetID(ctx, t.cfg.Stream, t.cfg.Group, t.last).Err()
	if err != nil && strings.HasPrefix(err.Error(), "NOGROUP") {
		err = t.cl.XGroupCreateMkStream(ctx, t.cfg.Stream, t.cfg.Group, t.last).Err()
	}
	if err != nil {
		return fmt.Errorf("redis stream source: move group %s of %s to %s: %w", t.cfg.Group, t.cfg.Stream, t.last, transient(err))
	}
	t.committed = t.last
	return nil
}

// Close releases the connections.
func (t *SourceTask) Close() error {
	if t.cl == nil {
		return nil
	}
	return t.cl.Close()
}
