package connectors

import (
	"context"
	"maps"
)

// PluginType is the kind of a plugin, as GET /connector-plugins reports it.
type PluginType string

// The plugin types of Kafka Connect's PluginInfo.
const (
	TypeSource          PluginType = "source"
	TypeSink            PluginType = "sink"
	TypeConverter       PluginType = "converter"
	TypeHeaderConverter PluginType = "header_converter"
	TypeTransformation  PluginType = "transformation"
	TypePredicate       PluginType = "predicate"
)

// Connector splits a connector's configuration into task configurations.
// It runs in the scheduler and keeps no state: it sees the config each time.
type Connector interface {
	// TaskConfigs returns at most maxTasks task configs for props (the
	// validated connector config). Each task config is merged over props.
	TaskConfigs(ctx context.Context, props map[string]string, maxTasks int) ([]map[string]string, error)
}

// OffsetReader gives a source task the offsets committed for its partitions.
// The function loads them once per invocation, so lookups are in memory.
type OffsetReader interface {
	// Offset returns the committed offset of a source partition, or nil.
	Offset(partition map[string]any) map[string]any
}

// SourceTask reads records from an external system. An instance lives for one
// invocation: Open, then Poll until the invocation's deadline or batch limit.
// Optional abilities (io.Closer, Committer) are separate interfaces.
type SourceTask interface {
	// Open configures the task and tells it where to resume.
	Open(ctx context.Context, props map[string]string, offsets OffsetReader) error
	// Poll returns the next records; an empty batch means nothing available
	// now, and the invocation ends without waiting.
	Poll(ctx context.Context) ([]*Record, error)
}

// SinkTask writes records read from Kafka into an external system.
type SinkTask interface {
	// Open configures the task.
	Open(ctx context.Context, props map[string]string) error
	// Put writes (or buffers) records. A *RetriableError is retried with
	// backoff (errors.retry.timeout); a *RejectedError names the only records
	// not written, each handled by errors.tolerance and the dead-letter queue;
	// any other error fails the task.
	Put(ctx context.Context, records []*Record) error
	// Flush makes every record given to Put durable; offsets are committed
	// only after it returns nil.
	Flush(ctx context.Context) error
}

// TopicPartition names one partition of a Kafka topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// OffsetReporter is an optional SinkTask ability for sinks that write whole
// files or batches and may hold records back past Flush (Kafka Connect's
// SinkTask.preCommit): after Flush, Committable gives, for each partition
// whose tail is not yet durable, the first offset that is not. The runtime
// commits no further than that, so the next invocation reads the tail again.
// Partitions left out are committed up to everything given to Put.
type OffsetReporter interface {
	Committable() map[TopicPartition]int64
}

// CommitStater is an optional SinkTask ability for sinks whose unfinished
// work outlives an invocation (an S3 file set held back by OffsetReporter
// across invocations): CommitState gives, after Flush, a short state per
// partition (at most 1 KiB) that the runtime commits with the partition's
// offset (the consumer group's offset metadata); the next invocation hands
// the committed states to ResumeState after Open, before the first Put.
type CommitStater interface {
	CommitState() map[TopicPartition]string
	ResumeState(map[TopicPartition]string)
}

// PutSizer is an optional SinkTask ability: how many records the task wants
// in one Put when neither the worker's consumer.max.poll.records nor the
// connector's consumer.override.max.poll.records is set (a key set by the
// user always wins). The records of a Put are all in memory, converted and
// transformed, until it returns, so a sink that writes record by record
// (FileStreamSink) asks for fewer than the runtime's default of 10,000, and
// one that writes each Put in bulk (a bulk request, a multi-row statement)
// leaves the default or asks for its own bulk size. A task without it gets
// the default. The runtime asks once per invocation, after Open, so the
// answer may depend on the config; a value below 1 means the default, and
// the runtime caps it at MaxPutSize.
type PutSizer interface {
	PutSize() int
}

// MaxPutSize is the most records a PutSizer gets in one Put.
const MaxPutSize = 100_000

// FetchSizer is an optional SinkTask ability: the most bytes of one
// partition a fetch may bring (max.partition.fetch.bytes) the task wants
// when neither the worker's consumer.max.partition.fetch.bytes nor the
// connector's consumer.override.max.partition.fetch.bytes is set (a key set
// by the user always wins). The runtime's default is 256 KiB, which bounds
// what a sink's consumer holds besides the batch in hand; a fetch brings at
// least one of the producer's record batches, so with large batches (about
// 650 KB from franz-go's producer) every fetch is one batch and one round
// trip. A sink that holds much more than a fetch anyway (the S3 sink's
// objects) asks for more, and reads with fewer round trips. The runtime
// asks once per invocation, after Open; a value below 1 means the default,
// and the runtime caps it at MaxPartitionFetchBytes.
type FetchSizer interface {
	PartitionFetchBytes() int
}

// MaxPartitionFetchBytes is the most a FetchSizer gets per partition.
const MaxPartitionFetchBytes = 16 << 20

// PutOverlapper is an optional SinkTask ability for sinks whose Put mostly
// waits on a remote system (a multi-row statement, a bulk request): when
// OverlapsPut is true, the runtime reads, converts and transforms the next
// batch while Put runs on a goroutine of its own. Puts still run one at a
// time and in order, Flush only after the last Put returned, and no other
// method of the task runs during a Put; what a Put may share with the
// runtime's converters is only the records it was given. The runtime asks
// once per invocation, after Open. A sink whose Put is its own CPU work
// (FileStreamSink) gains nothing from it.
type PutOverlapper interface {
	OverlapsPut() bool
}

// Committer is an optional SourceTask ability: told once offsets up to the
// records already polled are committed (Kafka Connect's SourceTask.commit).
type Committer interface {
	Commit(ctx context.Context) error
}

// Plugin describes one connector class: its names, its config declaration and
// its constructors. connectors/builtin lists every plugin ferry ships.
type Plugin struct {
	// Class is the full Kafka Connect class name.
	Class string
	// Aliases are extra accepted names; the simple class name and the simple
	// name without "Connector" are always accepted.
	Aliases []string
	Type    PluginType
	Version string
	// Config is a zero value of the connector's config struct (see Declare).
	Config any
	// Passed are prefixes of keys the connector hands on undeclared to a
	// client of its own (Debezium's signal.consumer.*).
	Passed []string
	// NewConnector returns the connector that splits work into tasks.
	NewConnector func() Connector
	// NewSource or NewSink returns a fresh task for one invocation.
	NewSource func() SourceTask
	NewSink   func() SinkTask
}

// SameTaskConfigs returns maxTasks (at least one) copies of props: the split of
// a sink connector whose tasks differ only in the partitions the runtime
// assigns them.
func SameTaskConfigs(props map[string]string, maxTasks int) []map[string]string {
	out := make([]map[string]string, max(maxTasks, 1))
	for i := range out {
		out[i] = maps.Clone(props)
	}
	return out
}
