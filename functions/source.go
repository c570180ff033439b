package functions

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state"
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
// computing a partition's key only when the partition map changes.
type offsetTracker struct {
	connector string
	lastPtr   uintptr
	lastKey   string
	order     []string
	latest    map[string]state.OffsetEntry
}

func (t *offsetTracker) note(r *connectors.Record) error {
	if r.SourcePartition == nil {
		return nil
	}
	ptr := reflect.ValueOf(r.SourcePartition).Pointer()
	if ptr != t.lastPtr || t.lastKey == "" {
		k, err := state.OffsetKey(t.connector, r.SourcePartition)
		if err != nil {
			return fmt.Errorf("source partition of record for topic %s: %w", r.Topic, err)
		}
		t.lastPtr, t.lastKey = ptr, string(k)
	}
	if t.latest == nil {
		t.latest = map[string]state.OffsetEntry{}
	}
	if _, seen := t.latest[t.lastKey]; !seen {
		t.order = append(t.order, t.lastKey)
	}
	t.latest[t.lastKey] = state.OffsetEntry{Partition: r.SourcePartition, Offset: r.SourceOffset}
	return nil
}

func (t *offsetTracker) entries() []state.OffsetEntry {
	out := make([]state.OffsetEntry, len(t.order))
	for i, k := range t.order {
		out[i] = t.latest[k]
	}
	return out
}

// acks collects the outcome of asynchronous produces.
type acks struct {
	wg      sync.WaitGroup
	mu      sync.Mutex
	written int64
	err     error
}

func (a *acks) done(_ *kgo.Record, err error) {
	a.mu.Lock()
	if err != nil && a.err == nil {
		a.err = err
	} else if err == nil {
		a.written++
	}
	a.mu.Unlock()
	a.wg.Done()
}

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
	if a.err != nil {
		return &RecordError{Stage: StageKafkaProduce, Class: "kgo.Client", Where: "producing to Kafka", Err: &RetriableError{Err: a.err}}
	}
	return nil
}

// runSource polls the task, produces to Kafka, waits for every acknowledgement,
// then commits the source offsets with the invocation's epoch.
func (h *Handler) runSource(ctx context.Context, plugin *connectors.Plugin, p *pipeline) error {
	inv := p.inv
	entries, err := h.o.Store.ReadOffsets(ctx, inv.Connector)
	if err != nil {
		return fmt.Errorf("loading offsets of %s: %w", inv.Connector, err)
	}
	task := plugin.NewSource()
	defer closeTask(task)
	if err := task.Open(ctx, inv.Config, newOffsetReader(inv.Connector, entries)); err != nil {
		return fmt.Errorf("starting task %s-%d: %w", inv.Connector, inv.Task, err)
	}
	tracker := offsetTracker{connector: inv.Connector}
	var a acks
	more, err := h.pollLoop(ctx, task, p, &tracker, &a)
	if werr := a.wait(ctx); werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	p.res.Written = a.written
	p.res.More = more
	return h.commitSource(ctx, task, inv, tracker.entries(), p.res)
}

func (h *Handler) pollLoop(ctx context.Context, task connectors.SourceTask, p *pipeline, tr *offsetTracker, a *acks) (bool, error) {
	for !p.full() {
		recs, err := task.Poll(ctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				return true, nil
			}
			return false, fmt.Errorf("polling task %s-%d: %w", p.inv.Connector, p.inv.Task, err)
		}
		if len(recs) == 0 {
			return false, nil
		}
		p.res.Read += int64(len(recs))
		for _, r := range recs {
			if err := h.produce(ctx, p, r, a); err != nil {
				return false, err
			}
			if err := tr.note(r); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

func (h *Handler) produce(ctx context.Context, p *pipeline, r *connectors.Record, a *acks) error {
	kr, err := p.toKafka(r)
	if err != nil || kr == nil {
		return err
	}
	p.noteTopic(r.Topic)
	a.wg.Add(1)
	h.producer.Produce(ctx, kr, a.done)
	return nil
}

func (h *Handler) commitSource(ctx context.Context, task connectors.SourceTask, inv Invocation, entries []state.OffsetEntry, res *Result) error {
	if len(entries) > 0 {
		if err := h.o.Store.CommitOffsets(ctx, inv.Connector, inv.Task, inv.Epoch, entries); err != nil {
			return fmt.Errorf("committing %d source offsets of %s-%d at epoch %d: %w", len(entries), inv.Connector, inv.Task, inv.Epoch, err)
		}
		res.Committed = len(entries)
	}
	if c, ok := task.(connectors.Committer); ok {
		if err := c.Commit(ctx); err != nil {
			return fmt.Errorf("task %s-%d commit: %w", inv.Connector, inv.Task, err)
		}
	}
	return nil
}
