package functions

import (
	"fmt"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms"
	"github.com/ferryhq/ferry/transforms/convert"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Stage names where a record failed, as Kafka Connect's errors.Stage.
const (
	StageKeyConverter    = "KEY_CONVERTER"
	StageValueConverter  = "VALUE_CONVERTER"
	StageHeaderConverter = "HEADER_CONVERTER"
	StageTransformation  = "TRANSFORMATION"
	StageTaskPut         = "TASK_PUT"
	StageKafkaProduce    = "KAFKA_PRODUCE"
)

// RecordError is a per-record failure: which stage, which class, which record.
type RecordError struct {
	Stage, Class, Where string
	Err                 error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("Executing stage '%s' with class '%s', where %s: %v", e.Stage, e.Class, e.Where, e.Err)
}

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// pipeline carries what one invocation needs to move records: converters,
// error tolerance, limits and the running counts in the result.
type pipeline struct {
	inv         Invocation
	convs       convert.Set
	chain       *transforms.Chain
	tolerateAll bool
	res         *Result
	budget      time.Time
	max         int
	topics      map[string]struct{}
}

// full reports whether the invocation reached its record limit or time budget.
func (p *pipeline) full() bool {
	return (p.max > 0 && p.res.Read >= int64(p.max)) || !time.Now().Before(p.budget)
}

// fail applies errors.tolerance to a per-record failure: with "all" it is
// counted and skipped (nil), with "none" it fails the invocation.
func (p *pipeline) fail(e *RecordError) error {
	p.res.Failed++
	if p.tolerateAll {
		return nil
	}
	return fmt.Errorf("Tolerance exceeded in error handler: Error encountered in task %s-%d. %w", p.inv.Connector, p.inv.Task, e)
}

func (p *pipeline) noteTopic(t string) {
	if p.topics == nil {
		p.topics = map[string]struct{}{}
	}
	if _, ok := p.topics[t]; !ok {
		p.topics[t] = struct{}{}
		p.res.Topics = append(p.res.Topics, t)
	}
}

// transform runs the connector's chain; a nil record with a nil error means
// the chain dropped the record or it was skipped under errors.tolerance=all.
func (p *pipeline) transform(r *connectors.Record, where string) (*connectors.Record, error) {
	if p.chain == nil || p.chain.Len() == 0 {
		return r, nil
	}
	out, stage, err := p.chain.Apply(r)
	if err != nil {
		return nil, p.fail(&RecordError{StageTransformation, stage.Class, where, err})
	}
	return out, nil
}

// toKafka converts a source record to a Kafka record, in Kafka Connect's
// order: transformations, header converter, key converter, value converter.
// A nil record with a nil error means the record was dropped by the chain or
// skipped under errors.tolerance=all.
func (p *pipeline) toKafka(r *connectors.Record) (*kgo.Record, error) {
	where := "source record is " + r.Coordinates()
	r, err := p.transform(r, where)
	if err != nil || r == nil {
		return nil, err
	}
	kr := &kgo.Record{Topic: r.Topic}
	if r.Timestamp != connectors.NoTimestamp {
		kr.Timestamp = time.UnixMilli(r.Timestamp)
	}
	for _, h := range r.Headers {
		b, err := p.convs.Header.FromConnectHeader(r.Topic, h.Key, h.Schema, h.Value)
		if err != nil {
			return nil, p.fail(&RecordError{StageHeaderConverter, fmt.Sprintf("%T", p.convs.Header), where, err})
		}
		kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h.Key, Value: b})
	}
	if kr.Key, err = p.convs.Key.FromConnect(r.Topic, r.KeySchema, r.Key); err != nil {
		return nil, p.fail(&RecordError{StageKeyConverter, fmt.Sprintf("%T", p.convs.Key), where, err})
	}
	if kr.Value, err = p.convs.Value.FromConnect(r.Topic, r.ValueSchema, r.Value); err != nil {
		return nil, p.fail(&RecordError{StageValueConverter, fmt.Sprintf("%T", p.convs.Value), where, err})
	}
	return kr, nil
}

// fromKafka converts a consumed Kafka record to a sink record: key, value and
// header converters, then the transformations.
func (p *pipeline) fromKafka(kr *kgo.Record) (*connectors.Record, error) {
	r := &connectors.Record{Topic: kr.Topic, Partition: kr.Partition, Offset: kr.Offset, Timestamp: kr.Timestamp.UnixMilli()}
	where := fmt.Sprintf("consumed record is {topic='%s', partition=%d, offset=%d, timestamp=%d, timestampType=CreateTime}",
		kr.Topic, kr.Partition, kr.Offset, r.Timestamp)
	var err error
	if r.KeySchema, r.Key, err = p.convs.Key.ToConnect(kr.Topic, kr.Key); err != nil {
		return nil, p.fail(&RecordError{StageKeyConverter, fmt.Sprintf("%T", p.convs.Key), where, err})
	}
	if r.ValueSchema, r.Value, err = p.convs.Value.ToConnect(kr.Topic, kr.Value); err != nil {
		return nil, p.fail(&RecordError{StageValueConverter, fmt.Sprintf("%T", p.convs.Value), where, err})
	}
	for _, h := range kr.Headers {
		s, v, err := p.convs.Header.ToConnectHeader(kr.Topic, h.Key, h.Value)
		if err != nil {
			return nil, p.fail(&RecordError{StageHeaderConverter, fmt.Sprintf("%T", p.convs.Header), where, err})
		}
		r.Headers = append(r.Headers, connectors.Header{Key: h.Key, Schema: s, Value: v})
	}
	return p.transform(r, where)
}
