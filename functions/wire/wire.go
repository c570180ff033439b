// Package wire is the contract between the scheduler and the functions: the
// invocation the scheduler sends, the result a function replies with, the
// result states, the NATS subject and queue group they travel on, and the
// invocation's signature (Sign, Verify). Both
// sides import it and nothing else of each other; it imports nothing of
// ferry's, so a scheduler and a function built from different versions agree
// as long as this package's JSON does (see the golden files under testdata/).
package wire

import "time"

// Subject is the NATS subject invocations are sent on; workers subscribe to it
// in the queue group QueueGroup so each invocation reaches one function.
const (
	Subject    = "ferry.invoke"
	QueueGroup = "ferry-functions"
)

// Invocation asks a function to run one task until its deadline or batch limit.
type Invocation struct {
	ID        string `json:"id"`
	Connector string `json:"connector"`
	Task      int    `json:"task"`
	// Epoch fences the invocation: offsets commit only while it is current.
	Epoch int64  `json:"epoch"`
	Class string `json:"connector_class"`
	// Config is the task config, secrets still as ${provider:path:key} placeholders.
	// Worker-level settings (converters, config providers, group.id) never
	// travel here: each function takes them from its own worker configuration,
	// so worker secrets stay in the worker. (A "worker" object sent by an older
	// scheduler is ignored.)
	Config map[string]string `json:"config"`
	// Deadline is when the function must have committed and replied.
	Deadline time.Time `json:"deadline"`
	// MaxRecords bounds the records read in this invocation (0 = no bound).
	MaxRecords int `json:"max_records,omitempty"`
	// TaskCount is how many tasks the connector has now; sink tasks use it to
	// pick their share of the topic-partitions (0 falls back to tasks.max).
	TaskCount int `json:"task_count,omitempty"`
	// TraceParent and TraceState are the W3C trace context of the
	// scheduler's dispatch span, so a trace crosses NATS and Lambda; empty
	// when tracing is off.
	TraceParent string `json:"traceparent,omitempty"`
	TraceState  string `json:"tracestate,omitempty"`
	// RetryingSince carries an open errors.retry.timeout window from the
	// last invocation's Result.RetryingSince: the first retriable failure
	// of this invocation is retried until RetryingSince + errors.retry.timeout.
	RetryingSince time.Time `json:"retrying_since,omitzero"`
	// Overran says the invocation ran out of time before it could commit
	// its batch (the deadline passed before the commit, or the wait for
	// acknowledgements hit it): the scheduler shrinks the task's next
	// batch, so a starved machine does not redo the same batch forever.
	Overran bool `json:"overran,omitempty"`
	// SigningKey is the generation of the key the invocation is signed with.
	SigningKey int64 `json:"signing_key,omitempty"`
	// Signature is the HMAC-SHA256 of the rest of the payload (see Sign and
	// Verify); it must stay the last field.
	Signature string `json:"signature,omitempty"`
}

// Result is what an invocation reports back; the scheduler turns it into status.
type Result struct {
	ID        string `json:"id"`
	Connector string `json:"connector"`
	Task      int    `json:"task"`
	Epoch     int64  `json:"epoch"`
	// Read, Written and Failed count records in this invocation.
	Read    int64 `json:"records_read"`
	Written int64 `json:"records_written"`
	Failed  int64 `json:"records_failed"`
	// Committed counts offsets (source partitions or topic-partitions) committed.
	Committed int `json:"offsets_committed"`
	// Lag is the number of records known to be waiting after this invocation (sinks).
	Lag int64 `json:"lag"`
	// More asks for an immediate re-dispatch: the task stopped at a limit, not for lack of data.
	More bool `json:"more"`
	// State is RUNNING on success, FAILED when the task must stop, FENCED when
	// a newer epoch owns the task, RETRYING for a retriable failure.
	State string `json:"state"`
	Trace string `json:"trace,omitempty"`
	// Topics are the topics the task produced to or consumed from (KIP-558).
	Topics     []string      `json:"topics,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
	InstanceID string        `json:"instance_id"`
	// Batches counts the polls (sources) or puts (sinks) that carried
	// records; BatchTime is their total time, BatchTimeMax the longest and
	// BatchSizeMax the most records in one (Kafka Connect's
	// poll-batch-*/put-batch-* and batch-size-* metrics).
	Batches      int64         `json:"batches,omitempty"`
	BatchTime    time.Duration `json:"batch_time_ns,omitempty"`
	BatchTimeMax time.Duration `json:"batch_time_max_ns,omitempty"`
	BatchSizeMax int64         `json:"batch_size_max,omitempty"`
	// CommitTime is how long the offset commit took when one was tried;
	// CommitFailed says it was tried and failed.
	CommitTime   time.Duration `json:"commit_time_ns,omitempty"`
	CommitFailed bool          `json:"commit_failed,omitempty"`
	// Errors are the counts behind Kafka Connect's task-error-metrics.
	Errors ErrorCounts `json:"errors,omitzero"`
	// PartitionLag is a sink task's lag per topic-partition after this invocation.
	PartitionLag []PartitionLag `json:"partition_lag,omitempty"`
	// RetryingSince is set on a RETRYING result whose retriable failure
	// outlasted the invocation but not errors.retry.timeout: when that
	// failure began. The scheduler sends it back in the next invocation.
	RetryingSince time.Time `json:"retrying_since,omitzero"`
	// Overran says the invocation ran out of time before it could commit
	// its batch (the deadline passed before the commit, or the wait for
	// acknowledgements hit it): the scheduler shrinks the task's next
	// batch, so a starved machine does not redo the same batch forever.
	Overran bool `json:"overran,omitempty"`
}

// ErrorCounts count what errors.tolerance, retries, the error log and the
// dead-letter queue did in one invocation; Result.Failed is the number of
// records that failed (Kafka Connect's total-record-errors).
type ErrorCounts struct {
	// Failures counts failed attempts, retried ones included (total-record-failures).
	Failures int64 `json:"failures,omitempty"`
	// Retries counts retries of retriable failures (total-retries).
	Retries int64 `json:"retries,omitempty"`
	// Skipped counts records skipped under errors.tolerance=all (total-records-skipped).
	Skipped int64 `json:"skipped,omitempty"`
	// Logged counts errors written to the log (total-errors-logged).
	Logged int64 `json:"logged,omitempty"`
	// DLQRequests and DLQFailures count records sent to the dead-letter
	// topic and those Kafka did not take (deadletterqueue-produce-requests/-failures).
	DLQRequests int64 `json:"dlq_requests,omitempty"`
	DLQFailures int64 `json:"dlq_failures,omitempty"`
	// LastError is the time of the last failure, in Unix milliseconds (last-error-timestamp).
	LastError int64 `json:"last_error_ms,omitempty"`
}

// PartitionLag is the number of records of one topic-partition a sink task
// has not yet committed.
type PartitionLag struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Lag       int64  `json:"lag"`
}

// Result states.
const (
	StateRunning  = "RUNNING"
	StateFailed   = "FAILED"
	StateFenced   = "FENCED"
	StateRetrying = "RETRYING"
)
