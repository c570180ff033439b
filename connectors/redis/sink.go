package redis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	goredis "github.com/redis/go-redis/v9"
)

// SinkClass is the Redis Kafka connector's sink class name.
const SinkClass = "com.redis.kafka.connect.RedisSinkConnector"

// TokenTopic in redis.key is replaced by the record's topic.
const TokenTopic = "${topic}"

// ErrValue is wrapped by the rejection of a record whose key or value does
// not fit redis.type (a struct where a string is needed, a text score): fix
// the converter or add a transformation.
var ErrValue = errors.New("redis sink cannot write the record")

// SinkConfig is RedisSinkConnector's configuration (RedisSinkConfigDef).
type SinkConfig struct {
	Conn
	Type         string `config:"redis.type" default:"STREAM" enum:"HASH,JSON,STRING,STREAM,LIST,SET,ZSET,TIMESERIES" importance:"high" group:"Sink" doc:"Destination data structure. STREAM: XADD of the value's fields to the stream redis.key; HASH: HSET of the value's fields to redis.key+separator+record key; STRING: SET of the value; JSON: JSON.SET of the value (needs RedisJSON); LIST (RPUSH), SET (SADD), ZSET (ZADD, the value is the score): the record key as member of the collection redis.key; TIMESERIES: TS.ADD of the value at the record key's timestamp (needs RedisTimeSeries). A null value deletes the key (HASH, STRING, JSON) or removes the member (LIST, SET, ZSET)."`
	Command      string `config:"redis.command" default:"" enum:",XADD,HSET,JSONSET,SET,LPUSH,RPUSH,SADD,ZADD,TSADD,DEL" importance:"high" group:"Sink" doc:"The command form of redis.type used by newer releases of the connector; when set it takes precedence (LPUSH pushes to the left of a list, DEL deletes redis.key+separator+record key)."`
	Key          string `config:"redis.key" default:"${topic}" importance:"medium" group:"Sink" doc:"A format string for the destination key space, which may contain '${topic}' as a placeholder for the originating topic name; kafka_${topic} for the topic orders maps to kafka_orders. Leave empty for passthrough of the record key (only for non-collection data structures)."`
	Separator    string `config:"redis.separator" default:":" importance:"medium" group:"Sink" doc:"Separator between the key space and the record key of non-collection destination keys."`
	MultiExec    bool   `config:"redis.multiexec" default:"false" importance:"medium" group:"Sink" doc:"Whether to execute each batch's Redis commands in a MULTI/EXEC transaction (STREAM, LIST, SET, ZSET)."`
	WaitReplicas int    `config:"redis.wait.replicas" default:"0" min:"0" importance:"medium" group:"Sink" doc:"Number of replicas to wait for (WAIT) after each batch; 0 disables waiting. Fewer acknowledgements fail the batch as retriable."`
	WaitTimeout  int64  `config:"redis.wait.timeout" default:"1000" min:"0" importance:"medium" group:"Sink" doc:"Timeout in milliseconds for the WAIT command."`
	Charset      string `config:"redis.charset" default:"UTF-8" importance:"low" group:"Sink" doc:"Character set to encode Redis key and value strings. ferry supports UTF-8 only."`
}

// commandTypes maps redis.command to the redis.type it writes.
var commandTypes = map[string]string{"XADD": "STREAM", "HSET": "HASH", "JSONSET": "JSON", "SET": "STRING",
	"LPUSH": "LIST", "RPUSH": "LIST", "SADD": "SET", "ZADD": "ZSET", "TSADD": "TIMESERIES", "DEL": "DEL"}

// kind is the effective data structure: redis.command when set, else redis.type.
func (c *SinkConfig) kind() string {
	if c.Command != "" {
		return commandTypes[c.Command]
	}
	return c.Type
}

// Check applies the rules the tags cannot express.
func (c *SinkConfig) Check() error {
	errs := c.Conn.check()
	collection := slices.Contains([]string{"STREAM", "LIST", "SET", "ZSET", "TIMESERIES"}, c.kind())
	if c.MultiExec && !collection {
		errs = append(errs, &connectors.ConfigError{Key: "redis.multiexec", Value: "true", Reason: "multi/exec is only supported with these data structures: STREAM, LIST, SET, ZSET"})
	}
	if collection && c.Key == "" {
		errs = append(errs, &connectors.ConfigError{Key: "redis.key", Value: "", Reason: "a collection data structure (" + c.kind() + ") needs a key; passthrough is for HASH, STRING and JSON only"})
	}
	if cs := strings.ToUpper(strings.ReplaceAll(c.Charset, "_", "-")); cs != "UTF-8" && cs != "UTF8" {
		errs = append(errs, &connectors.ConfigError{Key: "redis.charset", Value: c.Charset, Reason: "ferry writes UTF-8 only"})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func parseSink(props map[string]string) (SinkConfig, error) {
	var cfg SinkConfig
	err := connectors.ParseChecked("redis sink", props, &cfg)
	return cfg, err
}

// Sink returns the RedisSinkConnector plugin.
func Sink() connectors.Plugin {
	return connectors.Plugin{
		Class:        SinkClass,
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

// SinkTask writes each batch with one pipeline (one MULTI/EXEC with
// redis.multiexec). An instance lives for one invocation.
type SinkTask struct {
	cfg SinkConfig
	cl  *goredis.Client
}

// Open parses the config, connects, and refuses a redis.type whose command
// the server lacks.
func (t *SinkTask) Open(ctx context.Context, props map[string]string) error {
	cfg, err := parseSink(props)
	if err != nil {
		return err
	}
	t.cfg = cfg
	if t.cl, err = cfg.connect(ctx); err != nil {
		return err
	}
	for kind, cmd := range map[string]string{"JSON": "JSON.SET", "TIMESERIES": "TS.ADD"} {
		if cfg.kind() != kind {
			continue
		}
		ok, err := supports(ctx, t.cl, cmd)
		if err != nil {
			return fmt.Errorf("redis sink: look up %s: %w", cmd, err)
		}
		if !ok {
			return fmt.Errorf("%w: redis.type=%s needs %s, which the server at %s does not know; load the module or choose another redis.type",
				ErrUnsupported, kind, cmd, t.cl.Options().Addr)
		}
	}
	return nil
}

// Put writes records; a record that does not fit redis.type or that the
// server refuses (WRONGTYPE) is rejected on its own, an unreachable server
// fails the batch as retriable.
func (t *SinkTask) Put(ctx context.Context, records []*connectors.Record) error {
	var rejected []connectors.RejectedRecord
	var owners []*connectors.Record
	var args [][]any
	for _, r := range records {
		cmds, err := commands(&t.cfg, r)
		if err != nil {
			rejected = append(rejected, connectors.RejectedRecord{Record: r, Err: err})
			continue
		}
		for _, c := range cmds {
			owners, args = append(owners, r), append(args, c)
		}
	}
	if len(args) > 0 {
		refused, err := t.exec(ctx, owners, args)
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

// exec runs args in one pipeline and returns the records whose command the
// server refused.
func (t *SinkTask) exec(ctx context.Context, owners []*connectors.Record, args [][]any) ([]connectors.RejectedRecord, error) {
	pipe := t.cl.Pipeline()
	if t.cfg.MultiExec {
		pipe = t.cl.TxPipeline()
	}
	cmds := make([]*goredis.Cmd, len(args))
	for i, a := range args {
		cmds[i] = pipe.Do(ctx, a...)
	}
	_, err := pipe.Exec(ctx)
	var rejected []connectors.RejectedRecord
	for i, c := range cmds {
		cerr := c.Err()
		if cerr == nil || errors.Is(cerr, goredis.Nil) {
			continue
		}
		if tr := transient(cerr); connectors.IsRetriable(tr) {
			return nil, fmt.Errorf("redis sink: %w", tr)
		}
		r := owners[i]
		rejected = append(rejected, connectors.RejectedRecord{Record: r,
			Err: fmt.Errorf("%w: %s-%d offset %d: %v refused: %w", ErrValue, r.Topic, r.Partition, r.Offset, args[i][0], cerr)})
	}
	if err != nil && len(rejected) == 0 && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("redis sink: %w", transient(err))
	}
	return rejected, t.wait(ctx)
}

// wait runs WAIT when redis.wait.replicas > 0.
func (t *SinkTask) wait(ctx context.Context) error {
	if t.cfg.WaitReplicas == 0 {
		return nil
	}
	n, err := t.cl.Wait(ctx, t.cfg.WaitReplicas, time.Duration(t.cfg.WaitTimeout)*time.Millisecond).Result()
	if err != nil {
		return fmt.Errorf("redis sink WAIT: %w", transient(err))
	}
	if n < int64(t.cfg.WaitReplicas) {
		return connectors.Retriable(fmt.Errorf("redis sink: %d of redis.wait.replicas=%d replicas acknowledged within %d ms", n, t.cfg.WaitReplicas, t.cfg.WaitTimeout))
	}
	return nil
}

// Flush does nothing: Put wrote every record it accepted.
func (t *SinkTask) Flush(context.Context) error { return nil }

// Close releases the connections.
func (t *SinkTask) Close() error {
	if t.cl == nil {
		return nil
	}
	return t.cl.Close()
}
