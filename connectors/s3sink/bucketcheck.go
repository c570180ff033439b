package s3sink

import (
	"context"

	"github.com/ferryhq/ferry/connectors"
)

// Kafka Connect's S3 sink checks at start that its bucket exists. A ferry
// task starts with every invocation, and S3 is a round trip away (tens of
// milliseconds, a hundred across regions): waiting for the check before the
// first record is read would add that round trip to every invocation. So
// Open starts the check and the task waits for it only where it matters:
// before its first request to S3 and in Flush, so that an invocation still
// fails naming the missing bucket or the refused credentials even when it
// wrote nothing. A check that failed in a way that may pass (the network)
// does not fail the task: the requests that follow fail or succeed on their
// own, and are retried as any other.

// bucketCheck is the check Open started; err is read once done is closed.
type bucketCheck struct {
	done   chan struct{}
	err    error
	cancel context.CancelFunc
}

// startCheck runs check on a goroutine that wait stops; ready and refused
// read its outcome.
func (s *store) startCheck(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	c := &bucketCheck{done: make(chan struct{}), cancel: cancel}
	s.checked = c
	go func() {
		defer close(c.done)
		c.err = s.check(ctx)
	}()
}

// ready waits for the bucket check and returns its failure when it says
// the task cannot write (a missing bucket, refused credentials).
func (s *store) ready(ctx context.Context) error {
	c := s.checked
	if c == nil {
		return nil
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		return connectors.Retriable(ctx.Err())
	}
	return permanent(c.err)
}

// refused returns, without waiting, the bucket check's failure when it is
// known and says the task cannot write.
func (s *store) refused() error {
	c := s.checked
	if c == nil {
		return nil
	}
	select {
	case <-c.done:
		return permanent(c.err)
	default:
		return nil
	}
}

// wait stops the check's goroutine, if it still runs, before the task
// closes.
func (s *store) wait() {
	if s.checked != nil {
		s.checked.cancel()
		<-s.checked.done
	}
}

// permanent is err unless it may pass on retry.
func permanent(err error) error {
	if err == nil || connectors.IsRetriable(err) {
		return nil
	}
	return err
}
