package workerconfig

import (
	"sort"
	"strings"
)

// passThrough are prefixes of undeclared keys ferry honours as given: the
// converters' own settings and the config providers' declarations.
var passThrough = []string{"key.converter.", "value.converter.", "header.converter.", "config.providers."}

// kafkaPrefixes and kafkaKeys select the Kafka client keys, kept as given in
// Worker.Props for connectors/kafkaclient, which reports those it cannot honour.
var (
	kafkaPrefixes = []string{"security.", "ssl.", "sasl.", "producer.", "consumer.", "admin."}
	kafkaKeys     = setOf("client.id", "client.dns.lookup", "request.timeout.ms", "retry.backoff.ms", "retry.backoff.max.ms",
		"reconnect.backoff.ms", "reconnect.backoff.max.ms", "metadata.max.age.ms", "connections.max.idle.ms",
		"receive.buffer.bytes", "send.buffer.bytes", "socket.connection.setup.timeout.ms",
		"socket.connection.setup.timeout.max.ms", "connector.client.config.override.policy",
		"topic.creation.enable")
)

// Reasons why a Kafka Connect worker key does not apply to ferry's design.
const (
	whyRebalance = "ferry has no worker group to rebalance: the leading scheduler gives each task to one invocation at a time"
	whyFlush     = "ferry commits offsets at the end of every invocation (ferry.invocation.timeout.ms bounds it)"
	whyRESTFwd   = "ferry's schedulers never forward REST requests to each other: every scheduler answers from the shared state store"
	whyPlugins   = "ferry's connectors, transforms and converters are built into the binary; add others with ferry build --with (docs/building.md)"
	whyMetrics   = "ferry exposes no JMX metrics"
	whyInternal  = "removed in Kafka 3.0; ferry's internal formats are fixed"
	whySigning   = "ferry signs invocations with its own rotated key held in the state store"
)

// ignored are Kafka Connect worker keys that do not apply to ferry, with why.
var ignored = map[string]string{
	"rest.advertised.host.name": whyRESTFwd, "rest.advertised.port": whyRESTFwd, "rest.advertised.listener": whyRESTFwd,
	"rest.host.name": "deprecated in Kafka Connect: set listeners", "rest.port": "deprecated in Kafka Connect: set listeners",
	"plugin.path": whyPlugins, "plugin.discovery": whyPlugins,
	"offset.storage.file.filename": "ferry standalone keeps offsets in its state store under ferry.data.dir",
	"offset.flush.interval.ms":     whyFlush, "offset.flush.timeout.ms": whyFlush,
	"task.shutdown.graceful.timeout.ms": "functions stop at their invocation deadline",
	"heartbeat.interval.ms":             whyRebalance, "session.timeout.ms": whyRebalance, "rebalance.timeout.ms": whyRebalance,
	"worker.sync.timeout.ms": whyRebalance, "worker.unsync.backoff.ms": whyRebalance,
	"scheduled.rebalance.max.delay.ms": whyRebalance, "connect.protocol": whyRebalance,
	"internal.key.converter": whyInternal, "internal.value.converter": whyInternal,
	"metric.reporters": whyMetrics, "metrics.num.samples": whyMetrics, "metrics.recording.level": whyMetrics,
	"metrics.sample.window.ms": whyMetrics, "auto.include.jmx.reporter": whyMetrics,
	"rest.extension.classes":                "ferry's REST basic auth is built in: set rest.basic.auth.credentials.file",
	"response.http.headers.config":          "not supported by ferry's REST server",
	"admin.listeners":                       "ferry serves /admin on its one REST listener",
	"exactly.once.source.support":           "ferry needs no worker switch: a source runs exactly-once when its connector sets exactly.once.support=required",
	"inter.worker.key.generation.algorithm": whySigning, "inter.worker.key.size": whySigning, "inter.worker.key.ttl.ms": whySigning,
	"inter.worker.signature.algorithm": whySigning, "inter.worker.verification.algorithms": whySigning,
}

// ignoredPrefixes are prefixes of keys that do not apply, with why.
var ignoredPrefixes = map[string]string{
	"internal.key.converter.": whyInternal, "internal.value.converter.": whyInternal,
	"admin.listeners.": "ferry serves /admin on its one REST listener", "metrics.context.": whyMetrics,
}

// Notice is a key ferry does not apply, with the reason.
type Notice struct{ Key, Reason string }

func setOf(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// IsKafkaClientKey reports whether key configures Kafka clients
// (security.protocol, ssl.*, sasl.*, producer./consumer./admin. overrides, ...).
func IsKafkaClientKey(key string) bool {
	if kafkaKeys[key] {
		return true
	}
	for _, p := range kafkaPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// ignoredReason says why key does not apply to ferry, "" if it may.
func ignoredReason(key string) string {
	if r, ok := ignored[key]; ok {
		return r
	}
	for p, r := range ignoredPrefixes {
		if strings.HasPrefix(key, p) {
			return r
		}
	}
	return ""
}

// classify finds the undeclared keys of props that are ignored (with
// reasons) or unknown; declared, pass-through and Kafka client keys are neither.
func classify(props map[string]string, declared func(string) bool) (ign []Notice, unknown []string) {
	for k := range props {
		switch {
		case declared(k):
		case ignoredReason(k) != "":
			ign = append(ign, Notice{k, ignoredReason(k)})
		case IsKafkaClientKey(k), hasPrefix(k, passThrough):
		default:
			unknown = append(unknown, k)
		}
	}
	sort.Slice(ign, func(i, j int) bool { return ign[i].Key < ign[j].Key })
	sort.Strings(unknown)
	return ign, unknown
}

func hasPrefix(k string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}
