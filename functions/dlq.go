package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/ferryhq/ferry/transforms/convert"
	cjson "github.com/ferryhq/ferry/transforms/convert/json"
	cpipeline "github.com/ferryhq/ferry/transforms/pipeline"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The dead-letter queue context headers, as Kafka Connect's DeadLetterQueueReporter.
const (
	HeaderTopic           = "__connect.errors.topic"
	HeaderPartition       = "__connect.errors.partition"
	HeaderOffset          = "__connect.errors.offset"
	HeaderConnector       = "__connect.errors.connector.name"
	HeaderTask            = "__connect.errors.task.id"
	HeaderStage           = "__connect.errors.stage"
	HeaderClass           = "__connect.errors.class.name"
	HeaderExceptionClass  = "__connect.errors.exception.class.name"
	HeaderExceptionMsg    = "__connect.errors.exception.message"
	HeaderExceptionTrace  = "__connect.errors.exception.stacktrace"
	HeaderSourcePartition = "__connect.errors.source.partition" // ferry extension: source DLQ
	HeaderSourceOffset    = "__connect.errors.source.offset"    // ferry extension: source DLQ
)

// deadLetters collects the failed records of one invocation for the
// dead-letter topic. They are written only at commit time, after the fence
// check, so an invocation that lost its task never writes a record attributed
// to it.
type deadLetters struct {
	topic     string
	rf        int16
	headers   bool
	connector string
	task      int
	records   []*kgo.Record
}

// newDeadLetters returns nil when the connector names no dead-letter topic.
func newDeadLetters(inv Invocation, c cpipeline.DeadLetter) *deadLetters {
	if c.Topic == "" {
		return nil
	}
	return &deadLetters{topic: c.Topic, rf: c.Replication, headers: c.Headers, connector: inv.Connector, task: inv.Task}
}

// add queues the record a failure happened to: for a consumed record its
// original key, value, headers and timestamp, untouched; for a source record
// (ferry extension) the polled record converted with the connector's
// converters where they can, else schemaless JSON.
func (d *deadLetters) add(ctx context.Context, re *RecordError, o origin, convs convert.Set) {
	var kr *kgo.Record
	switch {
	case o.consumed != nil:
		c := o.consumed
		kr = &kgo.Record{Key: c.Key, Value: c.Value, Timestamp: c.Timestamp, Headers: append([]kgo.RecordHeader(nil), c.Headers...)}
	case o.source != nil:
		kr = sourceDeadLetter(ctx, o.source, convs)
	case o.produced != nil:
		c := o.produced
		kr = &kgo.Record{Key: c.Key, Value: c.Value, Timestamp: c.Timestamp, Headers: append([]kgo.RecordHeader(nil), c.Headers...)}
	default:
		return
	}
	kr.Topic = d.topic
	if d.headers {
		kr.Headers = append(kr.Headers, d.context(re, o)...)
	}
	d.records = append(d.records, kr)
}

func (d *deadLetters) context(re *RecordError, o origin) []kgo.RecordHeader {
	var hs []kgo.RecordHeader
	add := func(k, v string) { hs = append(hs, kgo.RecordHeader{Key: k, Value: []byte(v)}) }
	switch {
	case o.consumed != nil:
		add(HeaderTopic, o.consumed.Topic)
		add(HeaderPartition, strconv.Itoa(int(o.consumed.Partition)))
		add(HeaderOffset, strconv.FormatInt(o.consumed.Offset, 10))
	case o.source != nil:
		add(HeaderTopic, o.source.Topic)
		add(HeaderSourcePartition, jsonText(o.source.SourcePartition))
		add(HeaderSourceOffset, jsonText(o.source.SourceOffsetMap()))
	case o.produced != nil:
		add(HeaderTopic, o.produced.Topic)
	}
	add(HeaderConnector, d.connector)
	add(HeaderTask, strconv.Itoa(d.task))
	add(HeaderStage, re.Stage)
	add(HeaderClass, re.Class)
	add(HeaderExceptionClass, exceptionClass(re.Err))
	add(HeaderExceptionMsg, exceptionMessage(re.Err))
	add(HeaderExceptionTrace, stackTrace(re.Err))
	return hs
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// sourceDeadLetter renders a polled source record as bytes for the dead-letter
// topic: with the connector's converters when they accept it, else as
// schemaless JSON text, else nil.
func sourceDeadLetter(ctx context.Context, r *connectors.Record, convs convert.Set) *kgo.Record {
	kr := &kgo.Record{}
	if r.Timestamp != connectors.NoTimestamp {
		kr.Timestamp = time.UnixMilli(r.Timestamp)
	}
	kr.Key = bestEffort(ctx, convs.Key, r.Topic, r.KeySchema, r.Key)
	kr.Value = bestEffort(ctx, convs.Value, r.Topic, r.ValueSchema, r.Value)
	return kr
}

func bestEffort(ctx context.Context, c convert.Converter, topic string, s *connectors.Schema, v any) []byte {
	if v == nil {
		return nil
	}
	if text, ok := v.(*connectors.JSONText); ok { // written by the task as the converter writes it
		return *text
	}
	if b, err := c.FromConnect(ctx, topic, s, v); err == nil {
		return b
	}
	if plain, err := cjson.New(map[string]string{"schemas.enable": "false"}, false); err == nil {
		if b, err := plain.FromConnect(ctx, topic, nil, v); err == nil {
			return b
		}
	}
	return []byte(fmt.Sprint(v))
}

// flushDLQ writes the queued dead letters once the fence check passes, and
// waits for Kafka to acknowledge them. It runs before offsets are committed,
// so a failed record is in the dead-letter topic before its offset moves on.
func (h *Handler) flushDLQ(ctx context.Context, p *pipeline) error {
	d := p.dlq
	if d == nil || len(d.records) == 0 {
		return nil
	}
	ctx, span := tracer.Start(ctx, "dead letters")
	defer span.End()
	if err := h.fence(ctx, p.inv, "writing "+strconv.Itoa(len(d.records))+" records to dead-letter topic "+d.topic); err != nil {
		return err
	}
	if err := h.ensureDLQTopic(ctx, d); err != nil {
		return err
	}
	// The connector's producer, with its producer.override.* keys, as Kafka
	// Connect's dead-letter producer.
	out, release, err := h.kafka.connectorProducer(p.inv.Config)
	if err != nil {
		return err
	}
	defer release()
	if err := h.kafka.check(ctx, out); err != nil {
		return err
	}
	var a acks
	p.res.Errors.DLQRequests += int64(len(d.records))
	for _, kr := range d.records {
		a.wg.Add(1)
		out.Produce(ctx, kr, a.done)
	}
	err = a.wait(ctx)
	p.res.Errors.DLQFailures += int64(len(d.records)) - a.acked()
	if err != nil {
		return retriable("writing to dead-letter topic %s: %w", d.topic, err)
	}
	d.records = nil
	return nil
}

// ensureDLQTopic creates the dead-letter topic when absent, through the same
// path as source topics (kafkaclient.CreateTopic): one partition and the
// configured replication factor, capped at the number of brokers (Kafka
// Connect would fail instead; a single-broker cluster still gets its DLQ).
func (h *Handler) ensureDLQTopic(ctx context.Context, d *deadLetters) error {
	if _, ok := h.dlqTopics.Load(d.topic); ok {
		return nil
	}
	spec := kafkaclient.TopicSpec{Group: "errors.deadletterqueue", Partitions: 1, ReplicationFactor: d.rf}
	adm, _, err := h.kafka.admin()
	if err != nil {
		return err
	}
	if err := kafkaclient.CreateTopic(ctx, adm, d.topic, spec); err != nil {
		return retriable("dead-letter topic: %w", err)
	}
	h.dlqTopics.Store(d.topic, true)
	return nil
}
