package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// GroupAdmin is what the sink offsets endpoints need from Kafka: the
// consumer group connect-<name> that sink functions commit to. *kadm.Client
// implements it.
type GroupAdmin interface {
	FetchOffsets(ctx context.Context, group string) (kadm.OffsetResponses, error)
	CommitOffsets(ctx context.Context, group string, os kadm.Offsets) (kadm.OffsetResponses, error)
	DeleteOffsets(ctx context.Context, group string, s kadm.TopicsSet) (kadm.DeleteOffsetsResponses, error)
	DeleteGroup(ctx context.Context, group string) (kadm.DeleteGroupResponse, error)
}

// Kafka Connect's keys of a sink connector's offsets.
const (
	sinkTopicKey     = "kafka_topic"
	sinkPartitionKey = "kafka_partition"
	sinkOffsetKey    = "kafka_offset"
)

// offsetsBody is Kafka Connect's ConnectorOffsets.
type offsetsBody struct {
	Offsets []offsetBody `json:"offsets"`
}

// offsetBody is one ConnectorOffset: partition and offset (null = reset).
type offsetBody struct {
	Partition map[string]any `json:"partition"`
	Offset    map[string]any `json:"offset"`
}

// messageBody is Kafka Connect's Message.
type messageBody struct {
	Message string `json:"message"`
}

// sinkGroup is the consumer group of a sink connector (connectors.SinkGroup,
// the one rule the sink's commits use too).
func sinkGroup(config map[string]string) string { return connectors.SinkGroup(config["name"], config) }

// sinkOffsets reads the group's committed offsets as Kafka Connect shows them.
func (s *Scheduler) sinkOffsets(ctx context.Context, group string) (offsetsBody, error) {
	out := offsetsBody{Offsets: []offsetBody{}}
	if s.o.Groups == nil {
		return out, fmt.Errorf("the scheduler has no Kafka admin client to read consumer group %s; start it with --bootstrap-servers", group)
	}
	resp, err := s.o.Groups.FetchOffsets(ctx, group)
	if err != nil {
		return out, fmt.Errorf("reading offsets of consumer group %s: %w", group, err)
	}
	for _, o := range resp.Offsets().Sorted() {
		out.Offsets = append(out.Offsets, offsetBody{
			Partition: map[string]any{sinkTopicKey: o.Topic, sinkPartitionKey: o.Partition},
			Offset:    map[string]any{sinkOffsetKey: o.At}})
	}
	return out, nil
}

// sinkChange is a parsed sink offsets alter request.
type sinkChange struct {
	commit kadm.Offsets
	reset  kadm.TopicsSet
}

// parseSinkOffsets checks a sink alter request with Kafka Connect's rules:
// partition {kafka_topic, kafka_partition}, offset {kafka_offset} or null;
// numbers may be given as numeric strings.
func parseSinkOffsets(entries []offsetBody) (sinkChange, error) {
	ch := sinkChange{commit: kadm.Offsets{}, reset: kadm.TopicsSet{}}
	for _, e := range entries {
		topic, tok := e.Partition[sinkTopicKey].(string)
		rawPart, pok := e.Partition[sinkPartitionKey]
		if e.Partition == nil || !tok || !pok || topic == "" {
			return ch, badRequest("The partition for a sink connector offset must contain the keys '%s' and '%s'", sinkTopicKey, sinkPartitionKey)
		}
		part, ok := asInt(rawPart)
		if !ok || part < 0 || part > math.MaxInt32 {
			return ch, badRequest("Failed to parse the following Kafka partition value in the provided offsets: '%v'. The value for '%s' in the partition for a sink connector offset must be a non-negative integer", rawPart, sinkPartitionKey)
		}
		if e.Offset == nil {
			ch.reset.Add(topic, int32(part))
			continue
		}
		rawOff, ok := e.Offset[sinkOffsetKey]
		if !ok {
			return ch, badRequest("The offset for a sink connector should either be null or contain the key '%s'", sinkOffsetKey)
		}
		off, ok := asInt(rawOff)
		if !ok || off < 0 {
			return ch, badRequest("Failed to parse the following Kafka offset value in the provided offsets: '%v'. The value for '%s' in the offset for a sink connector must be a non-negative integer", rawOff, sinkOffsetKey)
		}
		ch.commit.AddOffset(topic, int32(part), off, -1)
	}
	return ch, nil
}

// asInt reads a JSON number or numeric string as an integer.
func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		return int64(n), n == math.Trunc(n)
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		return i, err == nil
	}
	return 0, false
}

// alterSink applies a sink alter request to the consumer group.
func (s *Scheduler) alterSink(ctx context.Context, group string, ch sinkChange) error {
	if s.o.Groups == nil {
		return fmt.Errorf("the scheduler has no Kafka admin client to change consumer group %s; start it with --bootstrap-servers", group)
	}
	if len(ch.reset) > 0 {
		resp, err := s.o.Groups.DeleteOffsets(ctx, group, ch.reset)
		if err == nil {
			err = resp.Error()
		}
		if err != nil && !isGroupNotFound(err) {
			return fmt.Errorf("resetting offsets of consumer group %s: %w", group, err)
		}
	}
	if len(ch.commit) > 0 {
		resp, err := s.o.Groups.CommitOffsets(ctx, group, ch.commit)
		if err == nil {
			err = resp.Error()
		}
		if err != nil {
			return fmt.Errorf("committing offsets of consumer group %s: %w", group, err)
		}
	}
	return nil
}

// resetSink deletes the connector's consumer group, as Kafka Connect does.
func (s *Scheduler) resetSink(ctx context.Context, group string) error {
	if s.o.Groups == nil {
		return fmt.Errorf("the scheduler has no Kafka admin client to delete consumer group %s; start it with --bootstrap-servers", group)
	}
	if _, err := s.o.Groups.DeleteGroup(ctx, group); err != nil && !isGroupNotFound(err) {
		return fmt.Errorf("deleting consumer group %s: %w", group, err)
	}
	return nil
}

func isGroupNotFound(err error) bool {
	return errors.Is(err, kerr.GroupIDNotFound)
}
