package functions

import (
	"context"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/kgo"
)

// putter hands a sink invocation's batches to its task. For a task that
// overlaps its Puts (connectors.PutOverlapper) a Put runs on a goroutine of
// its own while the invocation reads and converts the next batch; the
// putter owns that goroutine and waits for it before the next Put, before
// Flush (finish) and before the invocation returns (abandon). Everything
// but the task's Put itself (retries, errors.tolerance, the dead-letter
// queue, the counters) stays on the invocation's goroutine.
type putter struct {
	h       *Handler
	task    connectors.SinkTask
	p       *pipeline
	overlap bool
	// flying is the Put in flight, nil when none is.
	flying *flyingPut
}

// flyingPut is one Put running on its own goroutine: done receives its
// first attempt's error.
type flyingPut struct {
	batch     []*connectors.Record
	originals []*kgo.Record
	start     time.Time
	done      chan error
}

func newPutter(h *Handler, task connectors.SinkTask, p *pipeline) *putter {
	o, ok := task.(connectors.PutOverlapper)
	return &putter{h: h, task: task, p: p, overlap: ok && o.OverlapsPut()}
}

// put hands batch to the task: at once for a task that does not overlap its
// Puts; otherwise after settling the Put in flight, on a new goroutine. An
// empty batch is not put.
func (u *putter) put(ctx context.Context, batch []*connectors.Record, originals []*kgo.Record) error {
	if len(batch) == 0 {
		return nil
	}
	if !u.overlap {
		return u.h.put(ctx, u.task, u.p, batch, originals)
	}
	if err := u.finish(ctx); err != nil {
		return err
	}
	f := &flyingPut{batch: batch, originals: originals, start: time.Now(), done: make(chan error, 1)}
	u.flying = f
	go func() { f.done <- u.task.Put(ctx, f.batch) }()
	return nil
}

// finish waits for the Put in flight and settles it as a Put run in place
// would be: a retriable failure is retried here, under errors.retry.timeout,
// then rejected records go through errors.tolerance.
func (u *putter) finish(ctx context.Context) error {
	f := u.flying
	if f == nil {
		return nil
	}
	u.flying = nil
	err := u.p.errs.retryFrom(ctx, f.start, func() error { return u.task.Put(ctx, f.batch) }, <-f.done)
	return u.h.putDone(ctx, u.p, f.batch, f.originals, f.start, err)
}

// abandon waits for a Put still in flight when the invocation ends early
// (a failed fetch or conversion), so the task is never closed under it; its
// outcome no longer matters, since nothing is committed.
func (u *putter) abandon() {
	if u.flying != nil {
		<-u.flying.done
		u.flying = nil
	}
}
