package functions

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms"
	"github.com/ferryhq/ferry/transforms/convert"
	cpipeline "github.com/ferryhq/ferry/transforms/pipeline"
	"github.com/twmb/franz-go/pkg/kgo"
)

// pipeline carries what one invocation needs to move records: the
// connector's built pipeline (chain, converters, framework config), the error
// policy, the dead-letter queue, limits and the running counts in the result.
type pipeline struct {
	inv    Invocation
	built  *cpipeline.Pipeline
	convs  convert.Set
	chain  *transforms.Chain
	errs   *errorPolicy
	dlq    *deadLetters // nil without errors.deadletterqueue.topic.name
	res    *Result
	budget time.Time
	max    int
	topics map[string]struct{}
	// lastTopic is the topic noted last (noteTopic).
	lastTopic string
	// ensured is the topic a source last produced to, known to exist.
	ensured string
	// Per-record parts allocated in blocks (slabs.go); a sink's are in
	// sinkMemory (sinkmemory.go).
	kafkaRecs    slab[kgo.Record]
	kafkaHeaders slab[kgo.RecordHeader]
	sinkMemory
	// printer prints a sink's values in place of converting them, nil when
	// the sink needs them converted; skipKey and skipHeaders leave a sink's
	// keys and headers unread (printValues).
	printer              javaTextConverter
	skipKey, skipHeaders bool
	// jsonValues: the source task writes its values as schemaless JSON
	// itself (writeJSONValues), produced as they are.
	jsonValues bool
	// headerMemo holds a source's last converted headers (headermemo.go).
	headerMemo headerMemo
	// payloads gives, for a connectors.JSONValueTaker task, the value
	// converter's bytes that are already the value's JSON (toConnectValue);
	// nil otherwise.
	payloads compactPayloader
	jsons    slab[connectors.JSONText]
}

// compactPayloader is a value converter that can tell when a value's bytes
// hold its JSON as connectjson writes it (JsonConverter with schemas.enable:
// the envelope's payload), ok false when not.
type compactPayloader interface {
	CompactPayload(data []byte) (s *connectors.Schema, payload []byte, ok bool)
}

// javaTextConverter is a value converter that prints a value as
// connectors.AppendJava prints what its ToConnect returns, without building
// it (the JsonConverter with schemas.enable=false: Schemaless).
type javaTextConverter interface {
	Schemaless() bool
	AppendJavaText(dst, data []byte) ([]byte, error)
}

// readNeverFails is a converter whose reading never returns an error
// (StringConverter, ByteArrayConverter, SimpleHeaderConverter).
type readNeverFails interface{ ReadNeverFails() }

// printValues sets the pipeline up for a task that only prints values
// (connectors.ValuePrinter) when no transformation reads a record: values are
// printed as *connectors.JavaText when the value converter can print them
// (printer), and keys and headers are left unread when reading them cannot
// fail (skipKey, skipHeaders). For a connectors.JSONValueTaker task the
// converter's bytes that already are a value's JSON are given as a
// *connectors.JSONText (payloads). Other tasks and chains change nothing.
func (p *pipeline) printValues(task connectors.SinkTask) {
	if p.chain != nil && p.chain.Len() > 0 {
		return
	}
	if w, ok := task.(connectors.JSONValueTaker); ok && w.TakesJSONValues() {
		p.payloads, _ = p.convs.Value.(compactPayloader)
	}
	if _, ok := task.(connectors.ValuePrinter); !ok {
		return
	}
	if c, ok := p.convs.Value.(javaTextConverter); ok && c.Schemaless() {
		p.printer = c
	}
	_, p.skipKey = p.convs.Key.(readNeverFails)
	_, p.skipHeaders = p.convs.Header.(readNeverFails)
}

// writeJSONValues asks a source task that can write its values as
// schemaless JSON itself (connectors.JSONValueWriter) to do so when the
// value converter is the JsonConverter with schemas.enable=false and no
// transformation reads a record: its *connectors.JSONText values are then
// produced as they are, where the converter would have written the same
// bytes from the values it builds. Other tasks and chains change nothing.
// Such a task may reuse a poll's records at its next poll: nothing here may
// keep a polled record, its header slice or its *JSONText past pollOnce
// (the converted bytes, the partition map and the LazyOffset may be kept).
func (p *pipeline) writeJSONValues(task connectors.SourceTask) {
	w, ok := task.(connectors.JSONValueWriter)
	if !ok || (p.chain != nil && p.chain.Len() > 0) {
		return
	}
	if c, ok := p.convs.Value.(javaTextConverter); ok && c.Schemaless() {
		p.jsonValues = w.WriteJSONValues()
	}
}

// toConnectValue is the value converter's ToConnect, or the value printed as
// a *connectors.JavaText (packed into p.bytes) when the sink only prints it.
func (p *pipeline) toConnectValue(ctx context.Context, kr *kgo.Record, r *connectors.Record) (err error) {
	if p.payloads != nil {
		if s, payload, ok := p.payloads.CompactPayload(kr.Value); ok {
			js := p.jsons.one()
			*js = payload
			r.ValueSchema, r.Value = s, js
			return nil
		}
	}
	if p.printer == nil {
		r.ValueSchema, r.Value, err = p.convs.Value.ToConnect(ctx, kr.Topic, kr.Value)
		return err
	}
	text := p.texts.one()
	*text, err = p.bytes.write(func(dst []byte) ([]byte, error) { return p.printer.AppendJavaText(dst, kr.Value) })
	r.ValueSchema, r.Value = nil, text
	return err
}

// appendConverter is a converter that can append a non-null value's bytes
// to a buffer (the JSON and String converters): a source's keys and values
// are then packed into shared blocks.
type appendConverter interface {
	AppendFromConnect(dst []byte, ctx context.Context, topic string, schema *connectors.Schema, value any) ([]byte, error)
}

// appendHeaderConverter is appendConverter for header converters (the
// SimpleHeaderConverter).
type appendHeaderConverter interface {
	AppendFromConnectHeader(dst []byte, ctx context.Context, topic, key string, schema *connectors.Schema, value any) ([]byte, error)
}

// fromConnect is conv.FromConnect, packed into p.bytes where conv can append.
func (p *pipeline) fromConnect(ctx context.Context, conv convert.Converter, topic string, schema *connectors.Schema, value any) ([]byte, error) {
	a, ok := conv.(appendConverter)
	if !ok || value == nil {
		return conv.FromConnect(ctx, topic, schema, value)
	}
	return p.bytes.write(func(dst []byte) ([]byte, error) { return a.AppendFromConnect(dst, ctx, topic, schema, value) })
}

// fromConnectHeader is conv.FromConnectHeader, packed into p.bytes where conv can append.
func (p *pipeline) fromConnectHeader(ctx context.Context, conv convert.HeaderConverter, topic string, h connectors.Header) ([]byte, error) {
	a, ok := conv.(appendHeaderConverter)
	if !ok || h.Value == nil {
		return conv.FromConnectHeader(ctx, topic, h.Key, h.Schema, h.Value)
	}
	return p.bytes.write(func(dst []byte) ([]byte, error) {
		return a.AppendFromConnectHeader(dst, ctx, topic, h.Key, h.Schema, h.Value)
	})
}

func newPipeline(inv Invocation, built *cpipeline.Pipeline, res *Result, budget time.Time, log *slog.Logger) *pipeline {
	p := &pipeline{inv: inv, built: built, convs: built.Converters, chain: built.Chain,
		dlq: newDeadLetters(inv, built.DeadLetter), res: res, budget: budget, max: inv.MaxRecords,
		errs: newErrorPolicy(inv, built.Framework, budget, log)}
	p.errs.counts = &res.Errors
	return p
}

// left bounds a poll of n records by what is left of the invocation's
// MaxRecords, so that an invocation reads at most MaxRecords.
func (p *pipeline) left(n int) int {
	if p.max > 0 {
		return max(min(n, p.max-int(p.res.Read)), 1)
	}
	return n
}

// full reports whether the invocation reached its record limit or time budget.
func (p *pipeline) full() bool {
	return (p.max > 0 && p.res.Read >= int64(p.max)) || !time.Now().Before(p.budget)
}

// fail reports a per-record failure to the log and the dead-letter queue,
// then applies errors.tolerance: nil skips the record, an error fails the
// invocation.
func (p *pipeline) fail(ctx context.Context, re *RecordError, o origin) error {
	var open *retryWindowOpen
	if errors.As(re.Err, &open) {
		return open // not a failure yet: the next invocation retries the record
	}
	p.res.Failed++
	p.errs.report(re)
	if p.dlq != nil {
		p.dlq.add(ctx, re, o, p.convs)
	}
	return p.errs.tolerate(re)
}

// noteBatch records one poll or put of n records that started at start.
func (p *pipeline) noteBatch(start time.Time, n int) {
	if n == 0 {
		return
	}
	d := time.Since(start)
	p.res.Batches++
	p.res.BatchTime += d
	p.res.BatchTimeMax = max(p.res.BatchTimeMax, d)
	p.res.BatchSizeMax = max(p.res.BatchSizeMax, int64(n))
}

// timeCommit starts timing an offset commit; the returned func records its
// time and outcome and returns err unchanged.
func timeCommit(r *Result) func(err error) error {
	start := time.Now()
	return func(err error) error {
		r.CommitTime = max(time.Since(start), 1)
		r.CommitFailed = err != nil
		return err
	}
}

func (p *pipeline) noteTopic(t string) {
	if t == p.lastTopic {
		return
	}
	p.lastTopic = t
	if p.topics == nil {
		p.topics = map[string]struct{}{}
	}
	if _, ok := p.topics[t]; !ok {
		p.topics[t] = struct{}{}
		p.res.Topics = append(p.res.Topics, t)
	}
}

// transform runs the connector's chain, retrying retriable failures; a nil
// record with a nil error means the chain dropped the record or it was
// skipped under errors.tolerance=all.
func (p *pipeline) transform(ctx context.Context, r *connectors.Record, o origin) (*connectors.Record, error) {
	if p.chain == nil || p.chain.Len() == 0 {
		return r, nil
	}
	var out *connectors.Record
	var stage *transforms.Stage
	err := p.errs.retryQuick(ctx, func() (err error) {
		out, stage, err = p.chain.Apply(r)
		return err
	})
	if err != nil {
		return nil, p.fail(ctx, &RecordError{Stage: StageTransformation, Class: stage.Class, Where: o.where(), Err: err}, o)
	}
	return out, nil
}

// convertStage runs one converter call with retries and turns a failure into a RecordError.
func (p *pipeline) convertStage(ctx context.Context, stage, class string, o origin, call func() error) error {
	if err := p.errs.retryQuick(ctx, call); err != nil {
		return p.fail(ctx, &RecordError{Stage: stage, Class: class, Where: o.where(), Err: err}, o)
	}
	return nil
}

// toKafka converts a source record to a Kafka record, in Kafka Connect's
// order: transformations, header converter, key converter, value converter.
// A nil record with a nil error means the record was dropped by the chain or
// skipped under errors.tolerance=all.
func (p *pipeline) toKafka(ctx context.Context, polled *connectors.Record) (*kgo.Record, error) {
	o := origin{source: polled}
	r, err := p.transform(ctx, polled, o)
	if err != nil || r == nil {
		return nil, err
	}
	kr := p.kafkaRecs.one()
	kr.Topic = r.Topic
	if r.Timestamp != connectors.NoTimestamp {
		kr.Timestamp = time.UnixMilli(r.Timestamp)
	}
	failed := p.res.Failed
	if len(r.Headers) > 0 {
		kr.Headers = p.kafkaHeaders.slice(len(r.Headers))
	}
	for i, h := range r.Headers {
		b, ok := p.headerMemo.lookup(i, r.Topic, h)
		if !ok {
			if err := p.convertStage(ctx, StageHeaderConverter, p.convs.Classes.Header, o, func() (err error) {
				b, err = p.fromConnectHeader(ctx, p.convs.Header, r.Topic, h)
				return err
			}); err != nil || p.res.Failed > failed {
				return nil, err
			}
			p.headerMemo.store(i, r.Topic, h, b)
		}
		kr.Headers = kr.Headers[:i+1] // within the slab's slice: set in place, not copied
		kr.Headers[i].Key, kr.Headers[i].Value = h.Key, b
	}
	if err := p.convertStage(ctx, StageKeyConverter, p.convs.Classes.Key, o, func() (err error) {
		kr.Key, err = p.fromConnect(ctx, p.convs.Key, r.Topic, r.KeySchema, r.Key)
		return err
	}); err != nil || p.res.Failed > failed {
		return nil, err
	}
	if text, ok := r.Value.(*connectors.JSONText); ok && p.jsonValues {
		kr.Value = *text
		return kr, nil
	}
	if err := p.convertStage(ctx, StageValueConverter, p.convs.Classes.Value, o, func() (err error) {
		kr.Value, err = p.fromConnect(ctx, p.convs.Value, r.Topic, r.ValueSchema, r.Value)
		return err
	}); err != nil || p.res.Failed > failed {
		return nil, err
	}
	return kr, nil
}

// fromKafka converts a consumed Kafka record to a sink record: key, value and
// header converters, then the transformations. A nil record with a nil error
// means the record was dropped or skipped under errors.tolerance=all.
func (p *pipeline) fromKafka(ctx context.Context, kr *kgo.Record) (*connectors.Record, error) {
	return p.fromKafkaInto(ctx, kr, new(connectors.Record))
}

// fromKafkaInto is fromKafka filling r, which a batch allocates together.
func (p *pipeline) fromKafkaInto(ctx context.Context, kr *kgo.Record, r *connectors.Record) (*connectors.Record, error) {
	*r = connectors.Record{Topic: kr.Topic, Partition: kr.Partition, Offset: kr.Offset, Timestamp: kr.Timestamp.UnixMilli()}
	o := origin{consumed: kr}
	failed := p.res.Failed
	if !p.skipKey {
		if err := p.convertStage(ctx, StageKeyConverter, p.convs.Classes.Key, o, func() (err error) {
			r.KeySchema, r.Key, err = p.convs.Key.ToConnect(ctx, kr.Topic, kr.Key)
			return err
		}); err != nil || p.res.Failed > failed {
			return nil, err
		}
	}
	if err := p.convertStage(ctx, StageValueConverter, p.convs.Classes.Value, o, func() error {
		return p.toConnectValue(ctx, kr, r)
	}); err != nil || p.res.Failed > failed {
		return nil, err
	}
	if len(kr.Headers) > 0 && !p.skipHeaders {
		r.Headers = p.headers.slice(len(kr.Headers))
		for _, h := range kr.Headers {
			var hs *connectors.Schema
			var hv any
			if err := p.convertStage(ctx, StageHeaderConverter, p.convs.Classes.Header, o, func() (err error) {
				hs, hv, err = p.convs.Header.ToConnectHeader(ctx, kr.Topic, h.Key, h.Value)
				return err
			}); err != nil || p.res.Failed > failed {
				return nil, err
			}
			r.Headers = append(r.Headers, connectors.Header{Key: h.Key, Schema: hs, Value: hv})
		}
	}
	return p.transform(ctx, r, o)
}
