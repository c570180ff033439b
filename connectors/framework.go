package connectors

import (
	"regexp"
	"strings"
)

// MaxTasks is the most tasks ferry runs for one connector: tasks.max above it
// is refused (400) when the config is submitted. Each task is a stored task
// config and a dispatch slot, so the bound keeps the state store and the
// scheduler's loop small; Kafka Connect bounds tasks.max only by Java's INT.
const MaxTasks = 1000

// Framework parses the keys every connector has through their declaration.
// A stored config was validated when submitted; should a key still not
// parse, it keeps its default (tasks.max at least 1).
func Framework(config map[string]string) ConnectorConfig {
	var c ConnectorConfig
	_, _ = Declare(&c).ParseValid(config, &c)
	c.TasksMax = min(max(c.TasksMax, 1), MaxTasks)
	return c
}

// SinkGroup is the consumer group a sink connector reads and commits, as
// Kafka Connect decides it: consumer.override.group.id when the config sets
// it, else connect-<connector>. The function's commits and the REST offsets
// endpoints both use it.
func SinkGroup(connector string, config map[string]string) string {
	if g := strings.TrimSpace(config["consumer.override.group.id"]); g != "" {
		return g
	}
	return "connect-" + connector
}

// ConnectorConfig holds the keys every connector config has, with the names,
// defaults and rules of Kafka Connect's ConnectorConfig.
type ConnectorConfig struct {
	Name            string   `config:"name" required:"true" importance:"high" group:"Common" doc:"Globally unique name to use for this connector."`
	ConnectorClass  string   `config:"connector.class" required:"true" importance:"high" group:"Common" doc:"Name or alias of the class for this connector."`
	TasksMax        int      `config:"tasks.max" default:"1" min:"1" max:"1000" importance:"high" group:"Common" doc:"Maximum number of tasks to use for this connector. ferry runs at most 1000 tasks per connector (MaxTasks)."`
	KeyConverter    string   `config:"key.converter" type:"CLASS" importance:"low" group:"Common" doc:"Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (keys). Defaults to the worker's."`
	ValueConverter  string   `config:"value.converter" type:"CLASS" importance:"low" group:"Common" doc:"Converter class for record values. Defaults to the worker's."`
	HeaderConverter string   `config:"header.converter" type:"CLASS" importance:"low" group:"Common" doc:"HeaderConverter class for record headers. Defaults to the worker's (SimpleHeaderConverter)."`
	ReloadAction    string   `config:"config.action.reload" default:"restart" enum:"none,restart" importance:"low" group:"Common" doc:"What to do when external configuration providers change: none or restart."`
	Transforms      []string `config:"transforms" default:"" importance:"low" group:"Transforms" doc:"Aliases for the transformations to be applied to records."`
	Predicates      []string `config:"predicates" default:"" importance:"low" group:"Predicates" doc:"Aliases for the predicates used by transformations."`
	RetryTimeout    int64    `config:"errors.retry.timeout" default:"0" min:"-1" importance:"medium" group:"Error Handling" doc:"Maximum duration in milliseconds that a failed operation will be reattempted. 0 disables retries, -1 retries forever."`
	RetryDelayMax   int64    `config:"errors.retry.delay.max.ms" default:"60000" min:"0" importance:"medium" group:"Error Handling" doc:"Maximum duration in milliseconds between consecutive retry attempts."`
	Tolerance       string   `config:"errors.tolerance" default:"none" enum:"none,all" importance:"medium" group:"Error Handling" doc:"Behavior for tolerating errors: none fails the task, all skips problematic records."`
	LogEnable       bool     `config:"errors.log.enable" default:"false" importance:"medium" group:"Error Handling" doc:"If true, write each error and the details of the failed operation to the log."`
	LogMessages     bool     `config:"errors.log.include.messages" default:"false" importance:"medium" group:"Error Handling" doc:"Whether to include the record that caused the failure in the log."`
	PollIntervalMs  int64    `config:"poll.interval.ms" default:"1000" min:"0" importance:"low" group:"Common" doc:"ferry: milliseconds between invocations of a task that reported no more data (connectors may also read this key)."`
	PollIdleMaxMs   int64    `config:"poll.idle.max.ms" default:"30000" min:"0" max:"86400000" importance:"low" group:"Common" doc:"ferry: the longest wait in milliseconds between invocations of a task that keeps finding no records. After each empty invocation the wait doubles from poll.interval.ms up to this bound; it drops back to poll.interval.ms as soon as records flow. A value at or below poll.interval.ms polls at the fixed poll.interval.ms."`
}

// SourceConnectorConfig adds the source-only framework keys.
type SourceConnectorConfig struct {
	ConnectorConfig
	ExactlyOnce         string `config:"exactly.once.support" default:"requested" enum:"requested,required" importance:"medium" group:"Exactly Once Support" doc:"Whether to require the connector to provide exactly-once semantics."`
	TransactionBoundary string `config:"transaction.boundary" default:"poll" enum:"poll,interval,connector" importance:"medium" group:"Exactly Once Support" doc:"The transaction boundary: poll, interval or connector."`
	TransactionInterval int64  `config:"transaction.boundary.interval.ms" default:"60000" min:"0" importance:"low" group:"Exactly Once Support" doc:"If transaction.boundary is interval, commit transactions this often in milliseconds (Kafka Connect defaults to the worker's offset.flush.interval.ms, 60000)."`
	OffsetsTopic        string `config:"offsets.storage.topic" importance:"low" group:"Offsets Topic" doc:"The name of a separate offsets topic to use for this connector."`
}

// SinkConnectorConfig adds the sink-only framework keys.
type SinkConnectorConfig struct {
	ConnectorConfig
	Topics         []string `config:"topics" default:"" importance:"high" group:"Common" doc:"List of topics to consume, separated by commas."`
	TopicsRegex    string   `config:"topics.regex" default:"" importance:"high" group:"Common" doc:"Regular expression giving topics to consume."`
	DLQTopic       string   `config:"errors.deadletterqueue.topic.name" default:"" importance:"medium" group:"Error Handling" doc:"The name of the topic to be used as the dead letter queue (DLQ)."`
	DLQReplication int16    `config:"errors.deadletterqueue.topic.replication.factor" default:"3" importance:"medium" group:"Error Handling" doc:"Replication factor used to create the dead letter queue topic."`
	DLQHeaders     bool     `config:"errors.deadletterqueue.context.headers.enable" default:"false" importance:"medium" group:"Error Handling" doc:"If true, add headers containing error context to the messages written to the dead letter queue."`
}

// Check applies the cross-key rules of Kafka's SinkConnectorConfig.
func (c *SinkConnectorConfig) Check() error {
	var errs ConfigErrors
	switch {
	case len(c.Topics) > 0 && c.TopicsRegex != "":
		errs = append(errs, &ConfigError{Key: "topics", Value: join(c.Topics), Reason: "topics and topics.regex are mutually exclusive options, but both are set."})
	case len(c.Topics) == 0 && c.TopicsRegex == "":
		errs = append(errs, &ConfigError{Key: "topics", Value: "", Reason: "Must configure one of topics or topics.regex"})
	case c.TopicsRegex != "":
		if _, err := regexp.Compile(c.TopicsRegex); err != nil {
			errs = append(errs, &ConfigError{Key: "topics.regex", Value: c.TopicsRegex, Reason: err.Error()})
		}
	}
	if c.DLQTopic != "" {
		for _, t := range c.Topics {
			if t == c.DLQTopic {
				errs = append(errs, &ConfigError{Key: "errors.deadletterqueue.topic.name", Value: c.DLQTopic,
					Reason: "The DLQ topic '" + c.DLQTopic + "' may not be included in the list of topics ('topics=[" + join(c.Topics) + "]') consumed by the connector"})
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}
