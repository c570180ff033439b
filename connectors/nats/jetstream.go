package nats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/connectors"
	natsio "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// jsReader reads a stream through a durable pull consumer (AckAll), skips
// what the committed offset already covers and acknowledges after commit.
type jsReader struct {
	task      *SourceTask
	cons      jetstream.Consumer
	partition map[string]any
	after     uint64 // last stream sequence committed or polled
	last      jetstream.Msg
	acked     uint64
}

// openStream positions the durable consumer at the sequence after the
// committed offset, recreating it when its state disagrees (a reset offset,
// messages delivered to an invocation that never committed).
func openStream(ctx context.Context, nc *natsio.Conn, cfg *SourceConfig, durable string, offsets connectors.OffsetReader) (*jsReader, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("nats source: %w", err)
	}
	stream, err := js.Stream(ctx, cfg.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("nats source: stream %s (nats.stream) does not exist; create it or fix the name: %w", cfg.Stream, err)
	}
	if err != nil {
		return nil, fmt.Errorf("nats source: stream %s: %w", cfg.Stream, transient(err))
	}
	r := &jsReader{partition: map[string]any{StreamKey: cfg.Stream, SubjectKey: cfg.Subject}}
	committed := false
	if off := offsets.Offset(r.partition); off != nil {
		seq, ok := sequence(off[SequenceKey])
		if !ok {
			return nil, fmt.Errorf("%w: committed %s=%v", ErrOffset, SequenceKey, off[SequenceKey])
		}
		r.after, committed = uint64(seq), true
	}
	want := jetstream.ConsumerConfig{Durable: durable, FilterSubject: cfg.Subject, AckPolicy: jetstream.AckAllPolicy,
		AckWait: time.Duration(cfg.AckWait) * time.Millisecond, MaxAckPending: -1, MaxDeliver: -1}
	cons, err := stream.Consumer(ctx, durable)
	switch {
	case errors.Is(err, jetstream.ErrConsumerNotFound):
	case err != nil:
		return nil, fmt.Errorf("nats source: consumer %s on %s: %w", durable, cfg.Stream, transient(err))
	default:
		info := cons.CachedInfo()
		floor := info.AckFloor.Stream
		if !committed {
			r.after, committed = floor, floor > 0
		}
		if info.Delivered.Stream == floor && floor == r.after && info.Config.FilterSubject == cfg.Subject {
			r.cons, r.acked = cons, floor
			return r, nil
		}
		if err := stream.DeleteConsumer(ctx, durable); err != nil {
			return nil, fmt.Errorf("nats source: recreate consumer %s: %w", durable, transient(err))
		}
	}
	switch {
	case committed:
		want.DeliverPolicy, want.OptStartSeq = jetstream.DeliverByStartSequencePolicy, r.after+1
	case cfg.DeliverPolicy == "new":
		want.DeliverPolicy = jetstream.DeliverNewPolicy
	case cfg.DeliverPolicy == "last":
		want.DeliverPolicy = jetstream.DeliverLastPolicy
	}
	if r.cons, err = stream.CreateOrUpdateConsumer(ctx, want); err != nil {
		return nil, fmt.Errorf("nats source: create consumer %s on %s: %w", durable, cfg.Stream, transient(err))
	}
	r.acked = r.after
	return r, nil
}

// poll fetches up to nats.batch.size messages.
func (r *jsReader) poll(ctx context.Context) ([]*connectors.Record, error) {
	cfg := &r.task.cfg
	batch, err := r.cons.Fetch(cfg.BatchSize, jetstream.FetchMaxWait(time.Duration(cfg.PollWait)*time.Millisecond))
	if err != nil {
		return nil, fmt.Errorf("nats source: fetch from %s: %w", cfg.Stream, transient(err))
	}
	var out []*connectors.Record
	for m := range batch.Messages() {
		meta, err := m.Metadata()
		if err != nil {
			return nil, fmt.Errorf("nats source: message metadata: %w", err)
		}
		r.last = m
		if meta.Sequence.Stream <= r.after {
			continue // covered by the committed offset
		}
		r.after = meta.Sequence.Stream
		raw := &natsio.Msg{Subject: m.Subject(), Data: m.Data(), Header: natsio.Header(m.Headers())}
		out = append(out, r.task.record(raw, r.partition, map[string]any{SequenceKey: int64(meta.Sequence.Stream)}, meta.Timestamp))
	}
	if err := batch.Error(); err != nil && !errors.Is(err, natsio.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
		return out, fmt.Errorf("nats source: fetch from %s: %w", cfg.Stream, transient(err))
	}
	return out, nil
}

// ack acknowledges everything up to the last message polled (AckAll).
func (r *jsReader) ack(ctx context.Context) error {
	if r.last == nil || r.after == r.acked {
		return nil
	}
	if err := r.last.DoubleAck(ctx); err != nil {
		return fmt.Errorf("nats source: acknowledge up to sequence %d: %w", r.after, transient(err))
	}
	r.acked = r.after
	return nil
}

// sequence reads a committed stream sequence, whatever number type the offset store gave back.
func sequence(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, x >= 0
	case int:
		return int64(x), x >= 0
	case float64:
		return int64(x), x >= 0 && x == float64(int64(x))
	case json.Number:
		n, err := x.Int64()
		return n, err == nil && n >= 0
	}
	return 0, false
}
