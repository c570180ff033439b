package s3sink

import (
	"context"
	"errors"
	"sync"

	"github.com/ferryhq/ferry/connectors"
)

// A finished file set is written to S3 by a goroutine while the task converts
// the next records, so the upload and the conversion overlap. Nothing is
// lost and nothing is written twice:
//
//   - Committable holds each partition back at the first record of its
//     oldest set not known to be written, and Flush waits for every set, so
//     an offset is committed only once its objects are in S3.
//   - A set keeps its bytes until S3 has them. A failure is returned by the
//     next Put or Flush (the runtime's retry, or the failed invocation, sees
//     it as it would a failure of the Put that wrote the records); the call
//     the runtime retries with sends the set again, in the caller, from the
//     object that failed. If the invocation ends instead, Close stops the
//     goroutines, nothing past the set is committed, and the next invocation
//     writes the same objects under the same keys.
//   - At most maxSetsInFlight sets are sent at once: committing one more
//     waits for a slot, so memory holds at most that many finished sets
//     besides the open ones.

// maxSetsInFlight bounds the finished file sets being sent at once.
const maxSetsInFlight = 2

// sending is a finished file set handed to the background.
type sending struct {
	first int64   // offset of the set's first record
	files []*file // closed files not written yet, in order
	// done is closed when the goroutine sending the set returns; nil while
	// no goroutine sends it.
	done chan struct{}
	err  error // the last try's failure, read once done is closed
	// reported: err was returned to the runtime, so the next call sends
	// the set again.
	reported bool
}

// send writes the set's objects in order; each written one leaves files, so
// a later try sends only the rest.
func (s *sending) send(ctx context.Context) error {
	for len(s.files) > 0 {
		if err := s.files[0].up.commit(ctx); err != nil {
			return err
		}
		s.files = s.files[1:]
	}
	return nil
}

// abort drops the multipart uploads of the objects not written.
func (s *sending) abort(ctx context.Context) error {
	var errs []error
	for _, f := range s.files {
		errs = append(errs, f.up.abort(ctx))
	}
	return errors.Join(errs...)
}

// background owns the goroutines sending file sets; stop ends them.
type background struct {
	ctx    context.Context // cancelled by stop
	cancel context.CancelFunc
	wg     sync.WaitGroup
	slots  chan struct{} // one token per set being sent
}

// newBackground returns a background whose sends keep ctx's values but are
// cancelled only by stop: a set outlives the Put that finished it.
func newBackground(ctx context.Context) *background {
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &background{ctx: bctx, cancel: cancel, slots: make(chan struct{}, maxSetsInFlight)}
}

// start sends s in a goroutine once fewer than maxSetsInFlight sets are
// being sent, waiting for that as long as ctx allows.
func (b *background) start(ctx context.Context, s *sending) error {
	select {
	case b.slots <- struct{}{}:
	case <-ctx.Done():
		return connectors.Retriable(ctx.Err())
	}
	s.done, s.err = make(chan struct{}), nil
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		s.err = s.send(b.ctx)
		<-b.slots
		close(s.done)
	}()
	return nil
}

// stop cancels the sends under way and waits for their goroutines.
func (b *background) stop() {
	b.cancel()
	b.wg.Wait()
}

// reap forgets the partition's sets that are written. A failure not yet
// returned is returned (the first, once); the set stays, to be sent again by
// resend. With wait, reap first waits for every set being sent (or ctx).
func (w *tpWriter) reap(ctx context.Context, wait bool) error {
	var first error
	kept := w.sent[:0]
	for _, s := range w.sent {
		if s.done != nil && wait && first == nil {
			select {
			case <-s.done:
			case <-ctx.Done():
				first = connectors.Retriable(ctx.Err())
			}
		}
		if s.done != nil {
			select {
			case <-s.done:
				s.done = nil
			default:
				kept = append(kept, s)
				continue
			}
		}
		if s.err == nil {
			continue // written
		}
		if !s.reported && first == nil {
			s.reported, first = true, s.err
		}
		kept = append(kept, s)
	}
	clear(w.sent[len(kept):])
	w.t.sending -= len(w.sent) - len(kept)
	w.sent = kept
	return first
}

// resend sends again, in the caller, the sets whose failure was returned.
func (w *tpWriter) resend(ctx context.Context) error {
	for _, s := range w.sent {
		if s.done == nil && s.reported && s.err != nil {
			if s.err = s.send(ctx); s.err != nil {
				return s.err
			}
		}
	}
	return nil
}

// oldestUnwritten is the first offset of the partition's oldest set not
// known to be written.
func (w *tpWriter) oldestUnwritten() (int64, bool) {
	if len(w.sent) > 0 {
		return w.sent[0].first, true
	}
	return w.first, w.count > 0
}

// settleSent sends the reported failures again and reaps the sets written;
// with wait, it waits for all of them (Flush).
func (t *Task) settleSent(ctx context.Context, wait bool) error {
	if t.sending == 0 {
		return nil
	}
	for _, w := range t.sorted() {
		if len(w.sent) == 0 {
			continue
		}
		if err := w.resend(ctx); err != nil {
			return err
		}
		if err := w.reap(ctx, wait); err != nil {
			return err
		}
	}
	return nil
}
