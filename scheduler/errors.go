package scheduler

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrNoWorker is returned by NATSDispatcher when nothing subscribes to the
// invocation subject: the operator must start a worker.
var ErrNoWorker = errors.New("no ferry worker is listening on NATS subject ferry.invoke: start `ferry worker`")

// ErrNoReply is returned by NATSDispatcher when an invocation got no reply
// within its deadline plus grace: the worker may have died or be overloaded.
var ErrNoReply = errors.New("no reply from a ferry worker before the invocation deadline")

// RetriableError marks a dispatch failure that may succeed when tried again
// (no worker listening, timeout, NATS outage). The dispatch loop retries every
// dispatch failure with backoff; this type tells callers which ones are
// expected to heal on their own.
type RetriableError struct{ Err error }

// Error returns the cause's message unchanged, so operators read the cause.
func (e *RetriableError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *RetriableError) Unwrap() error { return e.Err }

// apiError is a REST failure carrying its HTTP status; it is rendered as
// Kafka Connect's {"error_code","message"} body.
type apiError struct {
	Code    int
	Message string
}

func (e *apiError) Error() string { return e.Message }

func errorf(code int, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return errorf(http.StatusNotFound, format, args...)
}

func badRequest(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, format, args...)
}
