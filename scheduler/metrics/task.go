package metrics

import (
	"time"

	"github.com/ferryhq/ferry/functions/wire"
)

// task accumulates one task's results since the scheduler first saw it.
type task struct {
	kind     string
	started  bool           // a result was seen since the task (re)started
	outcomes []outcomeCount // ferry_invocations_total

	read, written    int64 // source-record-poll/write or sink-record-read/send totals
	readW, writtenW  window
	batchTime        window // ms per poll or put
	batchMax         window // longest poll or put in an invocation, ms
	batchSize        window // records per batch
	batchSizeMax     window
	commitTime       window // ms
	commitOutcome    window // 1 for a commit that succeeded, 0 for one that failed
	commits, skipped int64
	commitsW         window

	errors    int64 // records that failed
	counts    wire.ErrorCounts
	lastError int64 // Unix ms

	lag        []wire.PartitionLag
	lastCommit time.Time // the offsets were last known current
}

// observe adds one invocation's result.
func (t *task) observe(now time.Time, res wire.Result, outcome string) {
	t.read += res.Read
	t.written += res.Written
	t.readW.record(now, float64(res.Read))
	t.writtenW.record(now, float64(res.Written))
	if res.Batches > 0 {
		t.batchTime.record(now, ms(res.BatchTime)/float64(res.Batches))
		t.batchMax.record(now, ms(res.BatchTimeMax))
		t.batchSize.record(now, float64(res.Read)/float64(res.Batches))
		t.batchSizeMax.record(now, float64(res.BatchSizeMax))
	}
	if res.CommitTime > 0 {
		t.commitTime.record(now, ms(res.CommitTime))
		ok := 1.0
		if res.CommitFailed {
			ok = 0
		} else {
			t.commits++
			t.commitsW.record(now, 1)
		}
		t.commitOutcome.record(now, ok)
	}
	if outcome == wire.StateRunning && !res.CommitFailed {
		t.lastCommit = now
	}
	t.errors += res.Failed
	e := res.Errors
	t.counts.Failures += e.Failures
	t.counts.Retries += e.Retries
	t.counts.Skipped += e.Skipped
	t.counts.Logged += e.Logged
	t.counts.DLQRequests += e.DLQRequests
	t.counts.DLQFailures += e.DLQFailures
	t.lastError = max(t.lastError, e.LastError)
	if res.PartitionLag != nil {
		t.lag = res.PartitionLag
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// lagMax is the largest lag of the task's partitions.
func (t *task) lagMax() int64 {
	var m int64
	for _, l := range t.lag {
		m = max(m, l.Lag)
	}
	return m
}
