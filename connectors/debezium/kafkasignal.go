package debezium

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The Kafka signal channel (Debezium's KafkaSignalChannel): signals are
// records of partition 0 of signal.kafka.topic, keyed by topic.prefix, with
// the value {"id": …, "type": …, "data": {…}}. Debezium 3 keeps the channel's
// position only in its consumer group (auto-commit); ferry keeps it in the
// source offset with the state the signals changed, so an invocation that
// ends before its records are committed reads the same signals again and
// one that committed never does.

// OffsetKafkaSignal is the offset key of the next signal topic offset to
// read (ferry's; absent before the first signal).
const OffsetKafkaSignal = "ferry_signal_kafka_offset"

// SignalConsumerPrefix prefixes the Kafka consumer keys handed on to the
// signal channel's consumer (security.protocol, ssl.*, sasl.*, …).
const SignalConsumerPrefix = "signal.consumer."

// catchUpLimit bounds a check's wait for the signals written before it.
const catchUpLimit = 10 * time.Second

// maxSignalsPerCheck bounds the signals one check returns (each at most
// MaxSignalData): a backlog is read over several checks, the next one due
// at once.
const maxSignalsPerCheck = 256

// maxConsumerKeys bounds the signal.consumer.* keys.
const maxConsumerKeys = 64

// KafkaSignalConfig is the Kafka signal channel's keys, embedded in each
// connector's config.
type KafkaSignalConfig struct {
	SignalKafkaTopic   string `config:"signal.kafka.topic" default:"" importance:"high" group:"Signals" doc:"The topic signals are read from (partition 0) when signal.enabled.channels has kafka; default <topic.prefix>-signal. Records are keyed by topic.prefix with the value {\"id\": …, \"type\": …, \"data\": {…}}."`
	SignalKafkaServers string `config:"signal.kafka.bootstrap.servers" default:"" importance:"high" group:"Signals" doc:"Kafka brokers of the signal topic (required with the kafka channel). Security and other consumer keys go in signal.consumer.* (security.protocol, ssl.*, sasl.*, …)."`
	SignalKafkaGroup   string `config:"signal.kafka.groupId" default:"kafka-signal" importance:"low" group:"Signals" doc:"Consumer group of the signal topic: ferry starts from its committed offset when the source offset has no signal position, and commits the position there after each commit."`
	SignalKafkaPollMs  int    `config:"signal.kafka.poll.timeout.ms" default:"0" min:"0" importance:"low" group:"Signals" doc:"How long a check of the signal topic waits for signals beyond those already written (ferry always reads up to the topic's end when a check starts)."`
	SignalPollMs       int    `config:"signal.poll.interval.ms" default:"5000" min:"0" importance:"low" group:"Signals" doc:"How often the kafka channel is checked while streaming (and once when an invocation starts)."`
}

// KafkaSignalKeys is the signal channel consumer's Kafka keys: the
// signal.consumer.* pass-through keys (at most 64), with bootstrap.servers
// and group.id from the channel's own keys unless given there.
func KafkaSignalKeys(props map[string]string, c *KafkaSignalConfig) (map[string]string, error) {
	keys := map[string]string{}
	for k, v := range props {
		if rest, ok := strings.CutPrefix(k, SignalConsumerPrefix); ok && rest != "" {
			keys[rest] = v
		}
	}
	if len(keys) > maxConsumerKeys {
		return nil, &connectors.ConfigError{Key: SignalConsumerPrefix + "*", Value: fmt.Sprint(len(keys), " keys"),
			Reason: fmt.Sprintf("at most %d signal.consumer.* keys are accepted", maxConsumerKeys)}
	}
	if _, ok := keys["bootstrap.servers"]; !ok {
		keys["bootstrap.servers"] = c.SignalKafkaServers
	}
	if _, ok := keys["group.id"]; !ok {
		keys["group.id"] = c.SignalKafkaGroup
	}
	return keys, nil
}

// CheckKafkaSignal reports the kafka channel's missing keys.
func (c *KafkaSignalConfig) CheckKafkaSignal(channels []string) connectors.ConfigErrors {
	if !ChannelOn(channels, "kafka") || strings.TrimSpace(c.SignalKafkaServers) != "" {
		return nil
	}
	return connectors.ConfigErrors{&connectors.ConfigError{Key: "signal.kafka.bootstrap.servers", Value: "",
		Reason: "signal.enabled.channels has kafka: name the brokers of the signal topic"}}
}

// ChannelOn reports whether signal.enabled.channels names channel.
func ChannelOn(channels []string, channel string) bool {
	for _, c := range channels {
		if strings.EqualFold(strings.TrimSpace(c), channel) {
			return true
		}
	}
	return false
}

// KafkaSignals reads the signal topic for one invocation.
type KafkaSignals struct {
	cl         *kgo.Client
	adm        *kadm.Client
	topic, key string
	group      string
	next       int64 // the next offset to read
	consuming  bool
	wait       time.Duration // signal.kafka.poll.timeout.ms
	every      time.Duration // signal.poll.interval.ms
	checked    time.Time
	stuckAt    int64 // an end offset a check could not reach (transaction markers)
	returned   int64 // the position in the last record a poll returned
	committed  int64 // the position committed to the consumer group
}

// OpenKafkaSignals connects to the signal topic. The position is the
// source offset's, else the consumer group's committed offset, else the
// topic's start (auto.offset.reset=earliest, Debezium's default; latest
// starts at its end).
func OpenKafkaSignals(ctx context.Context, c *KafkaSignalConfig, props map[string]string, prefix string, off map[string]any) (*KafkaSignals, error) {
	keys, err := KafkaSignalKeys(props, c)
	if err != nil {
		return nil, err
	}
	client, err := kafkaclient.ForKeys(kafkaclient.Consumer, keys)
	if err != nil {
		return nil, fmt.Errorf("signal channel kafka: %w", err)
	}
	cl, err := kgo.NewClient(client.Opts...)
	if err != nil {
		return nil, fmt.Errorf("signal channel kafka: %w; check signal.kafka.bootstrap.servers", err)
	}
	k := &KafkaSignals{cl: cl, adm: kadm.NewClient(cl), topic: c.SignalKafkaTopic, key: prefix, group: keys["group.id"],
		wait: time.Duration(c.SignalKafkaPollMs) * time.Millisecond, every: time.Duration(c.SignalPollMs) * time.Millisecond, stuckAt: -1}
	if k.topic == "" {
		k.topic = prefix + "-signal"
	}
	if n, ok := offsetInt(off[OffsetKafkaSignal]); ok {
		k.next = n
		return k, nil
	}
	if err := k.startingPoint(ctx, keys["auto.offset.reset"]); err != nil {
		cl.Close()
		return nil, err
	}
	return k, nil
}

// startingPoint reads the group's committed offset, or the topic's start
// or end.
func (k *KafkaSignals) startingPoint(ctx context.Context, reset string) error {
	if k.group != "" {
		resp, err := k.adm.FetchOffsets(ctx, k.group)
		if err == nil {
			if o, ok := resp.Lookup(k.topic, 0); ok && o.Err == nil && o.At >= 0 {
				k.next = o.At
				return nil
			}
		} else if !errors.Is(err, kerr.GroupIDNotFound) {
			return connectors.Retriable(fmt.Errorf("signal channel kafka: reading group %s's offset of %s: %w", k.group, k.topic, err))
		}
	}
	if strings.EqualFold(strings.TrimSpace(reset), "latest") {
		end, err := k.end(ctx)
		k.next = max(end, 0)
		return err
	}
	return nil
}

// end is partition 0's end offset, -1 when the topic does not exist.
func (k *KafkaSignals) end(ctx context.Context) (int64, error) {
	ends, err := k.adm.ListEndOffsets(ctx, k.topic)
	if err != nil {
		return -1, connectors.Retriable(fmt.Errorf("signal channel kafka: listing the end of %s: %w", k.topic, err))
	}
	o, ok := ends.Lookup(k.topic, 0)
	if !ok || errors.Is(o.Err, kerr.UnknownTopicOrPartition) {
		return -1, nil
	}
	if o.Err != nil {
		return -1, connectors.Retriable(fmt.Errorf("signal channel kafka: listing the end of %s: %w", k.topic, o.Err))
	}
	return o.Offset, nil
}

// Next is the next offset to read: the position to keep in the offset.
func (k *KafkaSignals) Next() int64 { return k.next }

// Stamp writes the position into a record's source offset.
func (k *KafkaSignals) Stamp(off map[string]any) {
	if k != nil && k.next > 0 {
		off[OffsetKafkaSignal] = k.next
	}
}

// Due reports whether a check is due (the first, then every
// signal.poll.interval.ms).
func (k *KafkaSignals) Due() bool {
	return k != nil && (k.checked.IsZero() || time.Since(k.checked) >= k.every)
}

// Read returns the signals written since the last read, up to the topic's
// end when the check began (and, with signal.kafka.poll.timeout.ms, those
// arriving within it), at most maxSignalsPerCheck of them. Records keyed by
// another name, unreadable or too large are skipped, as Debezium skips them.
func (k *KafkaSignals) Read(ctx context.Context) ([]Signal, error) {
	k.checked = time.Now()
	ctx, cancel := context.WithTimeout(ctx, catchUpLimit+k.wait)
	defer cancel()
	end, err := k.end(ctx)
	if err != nil || end < 0 || (end <= k.next || end == k.stuckAt) && k.wait == 0 {
		return nil, err
	}
	if !k.consuming {
		k.cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{k.topic: {0: kgo.NewOffset().At(k.next)}})
		k.consuming = true
	}
	// Up to the end as it was (10 s at most); with nothing new, wait
	// signal.kafka.poll.timeout.ms for a signal.
	limit, target := time.Now().Add(catchUpLimit), end
	if end <= k.next || end == k.stuckAt {
		limit, target = time.Now().Add(k.wait), k.next+1
	}
	var out []Signal
	full := false
	for k.next < target && !full && time.Now().Before(limit) {
		pctx, cancel := context.WithDeadline(ctx, limit)
		fs := k.cl.PollFetches(pctx)
		cancel()
		fs.EachError(func(_ string, _ int32, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				slog.Warn("signal channel kafka: fetch", "topic", k.topic, "error", err)
			}
		})
		fs.EachRecord(func(r *kgo.Record) {
			if full || r.Partition != 0 || r.Offset < k.next {
				return
			}
			k.next = r.Offset + 1
			if s, ok := k.parse(r); ok {
				out = append(out, s)
				full = len(out) >= maxSignalsPerCheck
			}
		})
		if ctx.Err() != nil {
			break // the invocation ends: what was read is applied
		}
	}
	if full {
		// The client fetched past next: the next check, due at once,
		// consumes again from next.
		k.cl.RemoveConsumePartitions(map[string][]int32{k.topic: {0}})
		k.consuming, k.checked = false, time.Time{}
		return out, nil
	}
	if k.next < end && end != k.stuckAt {
		k.stuckAt = end // the rest are transaction markers, or the broker is slow
	}
	return out, nil
}

// parse reads one signal record.
func (k *KafkaSignals) parse(r *kgo.Record) (Signal, bool) {
	log := slog.With("topic", k.topic, "offset", r.Offset)
	if string(r.Key) != k.key {
		log.Info("signal channel kafka: the signal's key does not match the connector's topic.prefix; skipped", "key", string(r.Key), "topic.prefix", k.key)
		return Signal{}, false
	}
	if len(r.Value) == 0 {
		return Signal{}, false
	}
	if len(r.Value) > MaxSignalData {
		log.Warn("signal channel kafka: signal skipped, its value is over the limit", "bytes", len(r.Value), "limit", MaxSignalData)
		return Signal{}, false
	}
	var v struct {
		ID   string          `json:"id"`
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(r.Value, &v); err != nil {
		log.Warn("signal channel kafka: signal skipped, its value is not JSON", "error", err)
		return Signal{}, false
	}
	data := string(v.Data)
	if data == "null" {
		data = ""
	}
	return Signal{ID: v.ID, Type: v.Type, Data: data, Channel: "kafka"}, true
}

// Returned notes the position in the source offset of the last record a
// poll returns (nil: none returned).
func (k *KafkaSignals) Returned(off map[string]any) {
	if k == nil || off == nil {
		return
	}
	if n, ok := offsetInt(off[OffsetKafkaSignal]); ok {
		k.returned = n
	}
}

// Commit commits the position of the records returned so far (their
// offsets are committed when the runtime calls this) to the consumer
// group, as Debezium's consumer does: for lag tools and for a connector
// moved back to Debezium. A failure is logged: the source offset holds the
// position.
func (k *KafkaSignals) Commit(ctx context.Context) {
	if k == nil || k.group == "" || k.returned <= k.committed {
		return
	}
	var os kadm.Offsets
	os.Add(kadm.Offset{Topic: k.topic, Partition: 0, At: k.returned, LeaderEpoch: -1})
	resp, err := k.adm.CommitOffsets(ctx, k.group, os)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		slog.Warn("signal channel kafka: the consumer group lags (the position is kept in the source offset)", "group", k.group, "topic", k.topic, "offset", k.returned, "error", err)
		return
	}
	k.committed = k.returned
}

// Close ends the consumer.
func (k *KafkaSignals) Close() {
	if k != nil {
		k.cl.Close()
	}
}

// offsetInt reads a whole number, not negative, from an offset (a
// position or a count), however the store decoded it.
func offsetInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, x >= 0
	case int:
		return int64(x), x >= 0
	case int32:
		return int64(x), x >= 0
	case float64:
		return int64(x), x >= 0 && x == math.Trunc(x)
	case interface{ Int64() (int64, error) }: // json.Number
		n, err := x.Int64()
		return n, err == nil && n >= 0
	}
	return 0, false
}
