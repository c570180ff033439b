package functions

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// offsetReader serves a source task the offsets loaded at the start of the invocation.
type offsetReader struct {
	connector string
	byKey     map[string]map[string]any
}

func newOffsetReader(connector string, entries []state.OffsetEntry) *offsetReader {
	r := &offsetReader{connector: connector, byKey: make(map[string]map[string]any, len(entries))}
	for _, e := range entries {
		if k, err := state.OffsetKey(connector, e.Partition); err == nil {
			r.byKey[string(k)] = e.Offset
		}
	}
	return r
}

// Offset returns the committed offset of partition, or nil.
func (r *offsetReader) Offset(partition map[string]any) map[string]any {
	k, err := state.OffsetKey(r.connector, partition)
	if err != nil {
		return nil
	}
	return r.byKey[string(k)]
}

// offsetTracker keeps the latest offset of each source partition in the batch,
// computing a partition's key only when the partition map changes. A lazy
// offset (connectors.Record.LazyOffset) is built only for the latest record
// of each partition, when the entries are read.
type offsetTracker struct {
	connector string
	lastPtr   uintptr
	last      int // index in latest of the partition noted last
	order     map[string]int
	latest    []trackedOffset
}

// trackedOffset is a partition's latest offset: a map, or what builds it.
type trackedOffset struct {
	partition map[string]any
	offset    map[string]any
	lazy      connectors.OffsetBuilder
}

func (t *offsetTracker) note(r *connectors.Record) error {
	if r.SourcePartition == nil {
		return nil
	}
	ptr := reflect.ValueOf(r.SourcePartition).Pointer()
	if ptr != t.lastPtr || len(t.latest) == 0 {
		k, err := state.OffsetKey(t.connector, r.SourcePartition)
		if err != nil {
			return fmt.Errorf("source partition of record for topic %s: %w", r.Topic, err)
		}
		if t.order == nil {
			t.order = map[string]int{}
		}
		i, seen := t.order[string(k)]
		if !seen {
			i = len(t.latest)
			t.order[string(k)] = i
			t.latest = append(t.latest, trackedOffset{})
		}
		t.lastPtr, t.last = ptr, i
	}
	t.latest[t.last] = trackedOffset{partition: r.SourcePartition, offset: r.SourceOffset, lazy: r.LazyOffset}
	return nil
}

// noted is how many source partitions were noted.
func (t *offsetTracker) noted() int { return len(t.latest) }

func (t *offsetTracker) entries() []state.OffsetEntry {
	out := make([]state.OffsetEntry, len(t.latest))
	for i, l := range t.latest {
		off := l.offset
		if off == nil && l.lazy != nil {
			off = l.lazy.BuildOffset()
		}
		out[i] = state.OffsetEntry{Partition: l.partition, Offset: off}
	}
	return out
}

// acks collects the outcome of asynchronous produces.
type acks struct {
	wg      sync.WaitGroup
	mu      sync.Mutex
	written int64
	failed  []failedProduce
}

// failedProduce is a record Kafka did not take, after the client's own retries.
type failedProduce struct {
	rec *kgo.Record
	err error
}

// acked is the number of records Kafka took so far.
func (a *acks) acked() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.written
}

func (a *acks) done(r *kgo.Record, err error) {
	a.mu.Lock()
	if err != nil {
		a.failed = append(a.failed, failedProduce{r, err})
	} else {
		a.written++
	}
	a.mu.Unlock()
	a.wg.Done()
}

// wait blocks until every produce is acknowledged or failed. A record that
// failed for a reason retrying cannot fix makes it return a RecordError; any
// other failure (broker gone, timeout) a RetriableError, so offsets stay
// uncommitted and the records are produced again by the next invocation.
func (a *acks) wait(ctx context.Context) error {
	ch := make(chan struct{})
	go func() { a.wg.Wait(); close(ch) }()
	select {
	case <-ch:
	case <-ctx.Done():
		return retriable("waiting for Kafka to acknowledge records: %w", ctx.Err())
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, f := range a.failed {
		if !permanentProduceError(f.err) {
			return &RecordError{Stage: StageKafkaProduce, Class: "kgo.Client", Where: "producing to " + f.rec.Topic, Err: connectors.Retriable(f.err)}
		}
	}
	return nil
}

// permanentProduceError reports whether Kafka refused a record for good:
// retrying the same bytes cannot succeed.
func permanentProduceError(err error) bool {
	for _, e := range []error{kerr.MessageTooLarge, kerr.RecordListTooLarge, kerr.InvalidRecord, kerr.CorruptMessage, kerr.InvalidTopicException} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// settleProduces applies errors.tolerance to records Kafka refused for good:
// with "all" they go to the dead-letter queue with their converted bytes.
func settleProduces(ctx context.Context, p *pipeline, a *acks) error {
	for _, f := range a.failed {
		re := &RecordError{Stage: StageKafkaProduce, Class: "kgo.Client", rejected: true,
			Where: "producing to " + f.rec.Topic, Err: f.err}
		if err := p.fail(ctx, re, origin{produced: f.rec}); err != nil {
			return err
		}
	}
	return nil
}

// runSource polls the task, produces to Kafka, waits for every acknowledgement,
// writes dead letters, then commits the source offsets with the invocation's
// epoch. With exactly.once.support=required it runs transactions instead.
func (h *Handler) runSource(ctx context.Context, plugin *connectors.Plugin, p *pipeline) error {
	if cfg := p.built.Source; strings.EqualFold(cfg.ExactlyOnce, "required") {
		return h.runSourceEOS(ctx, plugin, p, cfg)
	}
	inv := p.inv
	lctx, loaded := phase(ctx, "load offsets")
	entries, err := h.o.Store.ReadOffsets(lctx, inv.Connector)
	if loaded(err) != nil {
		return fmt.Errorf("loading offsets of %s: %w", inv.Connector, err)
	}
	task := plugin.NewSource()
	defer closeTask(task)
	if err := task.Open(ctx, inv.Config, newOffsetReader(inv.Connector, entries)); err != nil {
		return fmt.Errorf("starting task %s-%d: %w", inv.Connector, inv.Task, err)
	}
	p.writeJSONValues(task)
	out, release, err := h.kafka.connectorProducer(inv.Config)
	if err != nil {
		return err
	}
	defer release()
	if err := h.kafka.check(ctx, out); err != nil {
		return err
	}
	tracker := offsetTracker{connector: inv.Connector}
	var a acks
	pctx, polled := phase(ctx, "poll")
	more, err := h.pollLoop(pctx, task, p, &tracker, out, &a)
	_ = polled(err)
	_, produced := phase(ctx, "produce")
	if werr := produced(a.wait(ctx)); werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	if err := settleProduces(ctx, p, &a); err != nil {
		return err
	}
	p.res.Written = a.written
	p.res.More = more
	if err := h.flushDLQ(ctx, p); err != nil {
		return err
	}
	cctx, committed := phase(ctx, "commit")
	return committed(h.commitSource(cctx, task, inv, tracker.entries(), p.res))
}

// producer is the part of a Kafka client a source invocation produces with.
type producer interface {
	Produce(ctx context.Context, r *kgo.Record, promise func(*kgo.Record, error))
}

// pollLoop polls and produces until the invocation is full or the task has
// nothing more (more=false).
func (h *Handler) pollLoop(ctx context.Context, task connectors.SourceTask, p *pipeline, tr *offsetTracker, out producer, a *acks) (bool, error) {
	for !p.full() {
		n, err := h.pollOnce(ctx, task, p, tr, out, a)
		if err != nil || n == 0 {
			return err == nil && n < 0, err
		}
	}
	return true, nil
}

// pollOnce polls one batch and produces it; it returns the batch size, 0 when
// the task has nothing now, -1 when the poll was cut short by the deadline.
func (h *Handler) pollOnce(ctx context.Context, task connectors.SourceTask, p *pipeline, tr *offsetTracker, out producer, a *acks) (int, error) {
	start := time.Now()
	recs, err := task.Poll(ctx)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return -1, nil
		}
		return 0, fmt.Errorf("polling task %s-%d: %w", p.inv.Connector, p.inv.Task, err)
	}
	defer p.noteBatch(start, len(recs))
	p.res.Read += int64(len(recs))
	done := a.done // one method value per batch, not one allocation per record
	for _, r := range recs {
		kr, err := p.toKafka(ctx, r)
		if err != nil {
			return 0, err
		}
		if kr != nil {
			if kr.Topic != p.ensured {
				if err := h.kafka.ensureTopic(ctx, p.inv, kr.Topic); err != nil {
					return 0, err
				}
				p.ensured = kr.Topic
			}
			p.noteTopic(r.Topic)
			a.wg.Add(1)
			out.Produce(ctx, kr, done)
		}
		if err := tr.note(r); err != nil {
			return 0, err
		}
	}
	return len(recs), nil
}

func (h *Handler) commitSource(ctx context.Context, task connectors.SourceTask, inv Invocation, entries []state.OffsetEntry, res *Result) error {
	if len(entries) > 0 {
		what := fmt.Sprintf("committing %d source offsets of %s-%d", len(entries), inv.Connector, inv.Task)
		done := timeCommit(res)
		if err := h.fence(ctx, inv, what); err != nil {
			return done(err)
		}
		if err := h.o.Store.CommitOffsets(ctx, inv.Connector, inv.Task, inv.Epoch, entries); err != nil {
			return done(fmt.Errorf("%s at epoch %d: %w", what, inv.Epoch, err))
		}
		_ = done(nil)
		res.Committed = len(entries)
	}
	if c, ok := task.(connectors.Committer); ok {
		if err := c.Commit(ctx); err != nil {
			return fmt.Errorf("task %s-%d commit: %w", inv.Connector, inv.Task, err)
		}
	}
	return nil
}
