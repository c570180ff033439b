package functions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/kgo"
)

// retryDelayMin is the first backoff of Kafka Connect's RetryWithToleranceOperator.
const retryDelayMin = 300 * time.Millisecond

// errorPolicy is Kafka Connect's RetryWithToleranceOperator and LogReporter for
// one invocation: it retries retriable failures with exponential backoff and
// jitter, logs failures when errors.log.enable is set, hands failed records to
// the dead-letter queue and applies errors.tolerance.
type errorPolicy struct {
	task         string // "<connector>-<task>", as Kafka Connect names a task in messages
	tolerateAll  bool
	retryTimeout time.Duration // 0: no retries; negative: retry until the invocation budget
	delayMax     time.Duration
	logEnable    bool
	logMessages  bool
	log          *slog.Logger
	// budget bounds every retry: a retry never sleeps past it.
	budget time.Time
	// carried is the start of a retry window the last invocation left open
	// (Invocation.RetryingSince); the first retry of this invocation uses it.
	carried time.Time
	// sleep waits d or until ctx is done (tests replace it).
	sleep func(ctx context.Context, d time.Duration) error
	// jitter returns a uniformly random duration in [0, n).
	jitter func(n time.Duration) time.Duration
	// counts receives the error metrics (the invocation's Result.Errors).
	counts *ErrorCounts
}

func newErrorPolicy(inv Invocation, base *connectors.ConnectorConfig, budget time.Time, log *slog.Logger) *errorPolicy {
	return &errorPolicy{
		task:         fmt.Sprintf("%s-%d", inv.Connector, inv.Task),
		tolerateAll:  base.Tolerance == "all",
		retryTimeout: time.Duration(base.RetryTimeout) * time.Millisecond,
		delayMax:     time.Duration(base.RetryDelayMax) * time.Millisecond,
		logEnable:    base.LogEnable,
		logMessages:  base.LogMessages,
		log:          log,
		budget:       budget,
		carried:      inv.RetryingSince,
		sleep:        sleepCtx,
		jitter:       func(n time.Duration) time.Duration { return time.Duration(rand.Int64N(int64(n))) },
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tally is where the error metrics go (a fresh set when none was given).
func (e *errorPolicy) tally() *ErrorCounts {
	if e.counts == nil {
		e.counts = &ErrorCounts{}
	}
	return e.counts
}

// isRetriable reports whether err may pass when the operation is tried again:
// every package marks such failures with *connectors.RetriableError.
func isRetriable(err error) bool { return connectors.IsRetriable(err) }

// retryDeadline is when retries of an operation started at start must stop:
// start + errors.retry.timeout, never later than the invocation budget.
func (e *errorPolicy) retryDeadline(start time.Time) time.Time {
	if e.retryTimeout < 0 {
		return e.budget
	}
	if d := start.Add(e.retryTimeout); d.Before(e.budget) {
		return d
	}
	return e.budget
}

// backoff is the wait before attempt+1, as Kafka Connect computes it:
// 300ms << (attempt-1); above errors.retry.delay.max.ms a uniformly random
// value in [0, max); never past the deadline.
func (e *errorPolicy) backoff(attempt int, now, deadline time.Time) time.Duration {
	d := e.delayMax + 1 // attempt 32 and later: far above any maximum
	if attempt < 32 {
		d = retryDelayMin << (attempt - 1)
	}
	if d > e.delayMax {
		d = 0
		if e.delayMax > 0 {
			d = e.jitter(e.delayMax)
		}
	}
	if left := deadline.Sub(now); d > left {
		d = max(left, 0)
	}
	return d
}

// retryWindowOpen ends an invocation whose retriable failure outlasted the
// invocation's budget but not errors.retry.timeout: the record is neither
// failed nor skipped, nothing after it is committed, and the next invocation
// resumes from the committed offsets with the window carried (Since).
type retryWindowOpen struct {
	Since time.Time
	Err   error
}

func (e *retryWindowOpen) Error() string {
	return fmt.Sprintf("retriable failure since %s outlasted this invocation; errors.retry.timeout is not spent, so the next invocation retries from the committed offsets: %v",
		e.Since.UTC().Format(time.RFC3339Nano), e.Err)
}

// Unwrap returns the retriable cause.
func (e *retryWindowOpen) Unwrap() error { return e.Err }

// retry runs op until it succeeds, fails for good, or its retriable failures
// outlast errors.retry.timeout; it returns op's last error, or a
// *retryWindowOpen when the invocation ends before the window does. The first
// retry of an invocation starts from the window carried by the invocation.
func (e *errorPolicy) retry(ctx context.Context, op func() error) error {
	start := time.Now()
	return e.retryFrom(ctx, start, op, op())
}

// retryQuick is retry for operations that take microseconds (converters,
// transformations), run once per record: the window starts when the first
// attempt fails rather than before it, which saves a clock read per call.
func (e *errorPolicy) retryQuick(ctx context.Context, op func() error) error {
	err := op()
	if err == nil {
		e.carried = time.Time{}
		return nil
	}
	return e.retryFrom(ctx, time.Now(), op, err)
}

// retryFrom retries op, whose first attempt started at start and returned err.
func (e *errorPolicy) retryFrom(ctx context.Context, start time.Time, op func() error, err error) error {
	if !e.carried.IsZero() {
		start, e.carried = e.carried, time.Time{}
	}
	for attempt := 1; ; attempt++ {
		if err == nil || !isRetriable(err) || e.retryTimeout == 0 {
			return err
		}
		now := time.Now()
		if e.retryTimeout > 0 && !now.Before(start.Add(e.retryTimeout)) {
			return err // the window is spent: errors.tolerance decides
		}
		deadline := e.retryDeadline(start)
		if !now.Before(deadline) {
			return &retryWindowOpen{Since: start, Err: err}
		}
		e.tally().Failures++
		e.tally().Retries++
		e.tally().LastError = now.UnixMilli()
		if e.logEnable {
			e.log.Warn("retrying after a retriable failure", "task", e.task, "attempt", attempt, "err", err)
		}
		if serr := e.sleep(ctx, e.backoff(attempt, now, deadline)); serr != nil {
			return &retryWindowOpen{Since: start, Err: err}
		}
		err = op()
	}
}

// report logs a per-record failure as Kafka Connect's LogReporter does.
func (e *errorPolicy) report(re *RecordError) {
	e.tally().Failures++
	e.tally().LastError = time.Now().UnixMilli()
	if !e.logEnable {
		return
	}
	e.tally().Logged++
	msg := fmt.Sprintf("Error encountered in task %s. Executing stage '%s' with class '%s'", e.task, re.Stage, re.Class)
	if e.logMessages && re.Where != "" {
		msg += ", where " + re.Where
	}
	e.log.Error(msg+".", "err", re.Err)
}

// tolerate applies errors.tolerance after a failure was reported: nil skips
// the record, an error fails the invocation. Failures that are neither
// tolerable at their stage nor retriable are never skipped.
func (e *errorPolicy) tolerate(re *RecordError) error {
	if !tolerable(re) {
		return fmt.Errorf("Unhandled exception in error handler: %w", re)
	}
	if e.tolerateAll {
		e.tally().Skipped++
		return nil
	}
	return fmt.Errorf("Tolerance exceeded in error handler: Error encountered in task %s. %w", e.task, re)
}

// tolerable is Kafka Connect's rule: converters and transformations may fail
// with anything; the task put and the Kafka produce only with a retriable
// error that outlasted its retries, or with a record the sink rejected.
func tolerable(re *RecordError) bool {
	switch re.Stage {
	case StageKeyConverter, StageValueConverter, StageHeaderConverter, StageTransformation:
		return true
	}
	return isRetriable(re.Err) || re.rejected
}

// exceptionClass names the Java exception class Kafka Connect would report for err.
func exceptionClass(err error) string {
	switch {
	case isRetriable(err):
		return "org.apache.kafka.connect.errors.RetriableException"
	case errors.Is(err, connectors.ErrData):
		return "org.apache.kafka.connect.errors.DataException"
	}
	return "org.apache.kafka.connect.errors.ConnectException"
}

// exceptionMessage is err's message without the Go sentinel prefix ("data
// error: "), as the Java exception's getMessage would read.
func exceptionMessage(err error) string {
	return strings.TrimPrefix(err.Error(), connectors.ErrData.Error()+": ")
}

// stackTrace renders err as Java's printStackTrace would shape it: the class
// and message, then one "Caused by:" line per wrapped cause (Go keeps no frames).
func stackTrace(err error) string {
	s := exceptionClass(err) + ": " + exceptionMessage(err)
	for c := errors.Unwrap(err); c != nil && c != connectors.ErrData; c = errors.Unwrap(c) {
		s += fmt.Sprintf("\nCaused by: %T: %s", c, c.Error())
	}
	return s
}

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
	// rejected marks a record the sink refused (RejectedError): tolerable at TASK_PUT.
	rejected bool
}

// Error is Kafka Connect's message for a failed stage: the stage, the class, where, and the cause.
func (e *RecordError) Error() string {
	return fmt.Sprintf("Executing stage '%s' with class '%s', where %s: %v", e.Stage, e.Class, e.Where, e.Err)
}

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// origin is the record a failure happened to, as the dead-letter queue needs
// it: the consumed Kafka record (sinks), the polled source record (sources),
// or the converted record Kafka refused (sources, KAFKA_PRODUCE).
type origin struct {
	consumed *kgo.Record
	source   *connectors.Record
	produced *kgo.Record
}

// where describes the record for a RecordError, as Kafka Connect's error
// context does; it is built only when a record fails.
func (o origin) where() string {
	switch {
	case o.consumed != nil:
		kr := o.consumed
		return fmt.Sprintf("consumed record is {topic='%s', partition=%d, offset=%d, timestamp=%d, timestampType=CreateTime}",
			kr.Topic, kr.Partition, kr.Offset, kr.Timestamp.UnixMilli())
	case o.source != nil:
		return "source record is " + o.source.Coordinates() + " for topic " + o.source.Topic
	}
	return ""
}
