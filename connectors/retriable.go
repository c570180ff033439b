package connectors

import "errors"

// RetriableError is how a task, converter or transformation signals a failure
// that may pass when the same operation is tried again (Kafka Connect's
// RetriableException): the system it talks to is unreachable, overloaded or
// timed out. The runtime retries the operation with backoff for up to
// errors.retry.timeout; any other error is treated as a permanent, per-record
// failure subject to errors.tolerance.
type RetriableError struct{ Err error }

// Error is the cause's message.
func (e *RetriableError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *RetriableError) Unwrap() error { return e.Err }

// Retriable wraps err as a RetriableError, keeping nil as nil.
func Retriable(err error) error {
	if err == nil {
		return nil
	}
	return &RetriableError{Err: err}
}

// IsRetriable reports whether err is, or wraps, a RetriableError.
func IsRetriable(err error) bool {
	var r *RetriableError
	return errors.As(err, &r)
}

// RejectedRecord is one record a SinkTask refused to write, and why.
type RejectedRecord struct {
	Record *Record
	Err    error
}

// RejectedError is returned by SinkTask.Put when every record of the batch was
// written except Rejected (Kafka Connect's ErrantRecordReporter.report): the
// runtime applies errors.tolerance to each rejected record — fail the task, or
// skip it and send it to the dead-letter queue — and never retries the batch.
type RejectedError struct{ Rejected []RejectedRecord }

// Error is the first rejected record's cause, saying when others were rejected too.
func (e *RejectedError) Error() string {
	if len(e.Rejected) == 1 {
		return "sink rejected 1 record: " + e.Rejected[0].Err.Error()
	}
	return "sink rejected records: " + e.Rejected[0].Err.Error() + " (and others)"
}
