package kafka

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Every write that must not race another one runs as a compare-and-set in a
// Kafka transaction: a fresh producer of the write's transactional id calls
// InitProducerID, which completes or aborts the previous transaction of that
// id and fences every older producer of it; then the store catches up
// (reading to the high watermark, so every earlier commit of the id is seen),
// decides, and commits. Two processes racing on one id cannot both commit: the
// later InitProducerID fences the earlier producer, whose commit fails; it
// tries again, from a fresh read.
//
// Ids: one per task for epochs and offset commits (so a dispatch's new epoch
// fences any commit in flight for the task), one per cluster for connector
// configs and signing keys.

// maxAttempts bounds the retries of a fenced compare-and-set.
const maxAttempts = 20

// decide reads the caught-up view (under its lock) and returns the records
// to commit; none commits nothing.
type decide func(v *view) ([]*kgo.Record, error)

// taskTxnID is the transactional id of a task's epochs and offset commits;
// it cannot collide with the <group>-<connector>-<task> ids of exactly-once
// source producers.
func (s *Store) taskTxnID(conn string, task int) string {
	return fmt.Sprintf("ferry-state:%s:%s", s.o.GroupID, taskIDString(conn, task))
}

// configTxnID is the transactional id of connector config and key writes.
func (s *Store) configTxnID() string { return "ferry-state:" + s.o.GroupID }

// cas runs decide and commits its records under the transactional id id,
// after catching up with topics.
func (s *Store) cas(ctx context.Context, id string, topics []string, fn decide) error {
	mu, _ := s.locks.LoadOrStore(id, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	var last error
	for attempt := range maxAttempts {
		if attempt > 0 {
			if err := pause(ctx, attempt); err != nil {
				return retriable("transaction %s: %w (last: %w)", id, err, last)
			}
		}
		done, err := s.try(ctx, id, topics, fn)
		if done {
			return err
		}
		last = err
	}
	return retriable("transaction %s fenced %d times in a row: %w", id, maxAttempts, last)
}

// try is one attempt; done is false when it was fenced and may be retried.
func (s *Store) try(ctx context.Context, id string, topics []string, fn decide) (done bool, err error) {
	cl, err := kgo.NewClient(s.o.clientOpts(kgo.TransactionalID(id), kgo.TransactionTimeout(s.o.TransactionTimeout),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(0))...)
	if err != nil {
		return true, fmt.Errorf("transactional client %s: %w", id, err)
	}
	defer cl.Close()
	if _, _, err := cl.ProducerID(ctx); err != nil {
		return !fencedErr(err), retriable("initializing transactional producer %s: init: %w", id, err)
	}
	var recs []*kgo.Record
	var ferr error
	if err := s.read(ctx, func(v *view) { recs, ferr = fn(v) }, topics...); err != nil {
		return true, err
	}
	if ferr != nil || len(recs) == 0 {
		return true, ferr
	}
	if err := cl.BeginTransaction(); err != nil {
		return true, fmt.Errorf("beginning transaction %s: %w", id, err)
	}
	perr := cl.ProduceSync(ctx, recs...).FirstErr()
	commit := kgo.TryCommit
	if perr != nil {
		commit = kgo.TryAbort
	}
	eerr := cl.EndTransaction(ctx, commit)
	if perr != nil {
		perr = fmt.Errorf("produce: %w", perr)
	}
	if eerr != nil {
		eerr = fmt.Errorf("end: %w", eerr)
	}
	if err := errors.Join(perr, eerr); err != nil {
		// Any failure here may be a race with another producer of the id
		// (Kafka 4.1 answers some with INVALID_TXN_STATE or
		// UNKNOWN_SERVER_ERROR): a fresh attempt reads first, so it is
		// safe even if this one did commit.
		return ctx.Err() != nil, retriable("transaction %s: %w", id, err)
	}
	return true, nil
}

// fencedErr says whether err means another producer of the id took over (or
// its transaction is still being completed): worth a fresh attempt.
func fencedErr(err error) bool {
	return errors.Is(err, kerr.ProducerFenced) || errors.Is(err, kerr.InvalidProducerEpoch) ||
		errors.Is(err, kerr.InvalidProducerIDMapping) || errors.Is(err, kerr.ConcurrentTransactions) ||
		errors.Is(err, kerr.InvalidTxnState) || errors.Is(err, kerr.UnknownServerError)
}

// pause backs off before attempt (1, 2, ...): 5ms doubling to 200ms, each
// between half and one and a half times that, so racing processes drift
// apart instead of fencing each other in step.
func pause(ctx context.Context, attempt int) error {
	d := min(5*time.Millisecond<<min(attempt-1, 6), 200*time.Millisecond)
	d = d/2 + rand.N(d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
