package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
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
	ctx, cancel := context.WithTimeout(ctx, groupAdminTimeout)
	defer cancel()
	resp, err := s.o.Groups.FetchOffsets(ctx, group)
	if err == nil {
		err = resp.Error()
	}
	if err != nil && !isGroupNotFound(err) {
		return out, groupError("reading the offsets of", group, err)
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
	ctx, cancel := context.WithTimeout(ctx, groupAdminTimeout)
	defer cancel()
	if len(ch.reset) > 0 {
		resp, err := s.o.Groups.DeleteOffsets(ctx, group, ch.reset)
		if err == nil {
			err = resp.Error()
		}
		if err != nil && !isGroupNotFound(err) {
			return groupError("resetting offsets of", group, err)
		}
	}
	if len(ch.commit) > 0 {
		resp, err := s.o.Groups.CommitOffsets(ctx, group, ch.commit)
		if err == nil {
			err = resp.Error()
		}
		if err != nil {
			return groupError("committing offsets of", group, err)
		}
	}
	return nil
}

// resetSink deletes the connector's consumer group, as Kafka Connect does.
func (s *Scheduler) resetSink(ctx context.Context, group string) error {
	if s.o.Groups == nil {
		return fmt.Errorf("the scheduler has no Kafka admin client to delete consumer group %s; start it with --bootstrap-servers", group)
	}
	ctx, cancel := context.WithTimeout(ctx, groupAdminTimeout)
	defer cancel()
	if _, err := s.o.Groups.DeleteGroup(ctx, group); err != nil && !isGroupNotFound(err) {
		return groupError("deleting", group, err)
	}
	return nil
}

// groupAdminTimeout bounds each consumer-group call made while serving a
// REST request, so an unreachable Kafka is an answer, not a hung request.
const groupAdminTimeout = 15 * time.Second

// groupError explains a failed consumer-group call. Kafka unreachable, too
// slow or answering a retriable error is a 503 the client may retry (Kafka
// Connect's own answer then is a bare 500); anything else stays a 500.
func groupError(op, group string, err error) error {
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) || kerr.IsRetriable(err) ||
		kgo.IsRetryableBrokerErr(err) || errors.Is(err, kgo.ErrClientClosed) {
		return errorf(http.StatusServiceUnavailable, "Kafka did not answer while %s consumer group %s (%v); "+
			"nothing was changed: retry when the brokers are reachable", op, group, err)
	}
	return fmt.Errorf("%s consumer group %s: %w", op, group, err)
}

func isGroupNotFound(err error) bool {
	return errors.Is(err, kerr.GroupIDNotFound)
}
