package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// TopicCreationEnableKey is the worker key that allows source connectors to
// create their topics (KIP-158); Kafka Connect's default is true.
const TopicCreationEnableKey = "topic.creation.enable"

// TopicCreationEnabled reports the worker's topic.creation.enable.
func (c *Config) TopicCreationEnabled() bool {
	return !strings.EqualFold(strings.TrimSpace(c.worker[TopicCreationEnableKey]), "false")
}

// TopicSpec is how one topic is created.
type TopicSpec struct {
	// Group is the topic.creation group that matched ("default" when none did).
	Group string
	// Partitions and ReplicationFactor are -1 for the broker's defaults.
	Partitions        int32
	ReplicationFactor int16
	// Configs are the topic configs (cleanup.policy, retention.ms, ...).
	Configs map[string]*string
}

type topicGroup struct {
	name             string
	include, exclude []*regexp.Regexp
	spec             TopicSpec
}

// TopicCreation is a source connector's KIP-158 settings: the
// topic.creation.groups in order, then the default group.
type TopicCreation struct {
	groups []topicGroup
}

// ParseTopicCreation reads topic.creation.* from a source connector config.
// It returns nil when topic creation is off: the worker disallows it, or the
// connector sets no topic.creation.default.replication.factor and
// .partitions (as in Kafka Connect, both are then required).
func ParseTopicCreation(workerEnabled bool, cfg map[string]string) (*TopicCreation, error) {
	_, rf := cfg["topic.creation.default.replication.factor"]
	_, parts := cfg["topic.creation.default.partitions"]
	if !workerEnabled || (!rf && !parts) {
		return nil, nil
	}
	tc := &TopicCreation{}
	for _, name := range splitList(cfg["topic.creation.groups"]) {
		if name == "default" {
			continue
		}
		g, err := parseGroup(cfg, name)
		if err != nil {
			return nil, err
		}
		if len(g.include) == 0 {
			return nil, keyErr("topic.creation."+name+".include", "", "is required for each group in topic.creation.groups")
		}
		tc.groups = append(tc.groups, g)
	}
	def, err := parseGroup(cfg, "default")
	if err != nil {
		return nil, err
	}
	if !rf || !parts {
		return nil, keyErr("topic.creation.default.replication.factor", "", "and topic.creation.default.partitions are both required to create topics")
	}
	tc.groups = append(tc.groups, def)
	return tc, nil
}

func parseGroup(cfg map[string]string, name string) (topicGroup, error) {
	prefix := "topic.creation." + name + "."
	g := topicGroup{name: name, spec: TopicSpec{Group: name, Partitions: -1, ReplicationFactor: -1, Configs: map[string]*string{}}}
	for k, v := range cfg {
		key, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		var err error
		switch key {
		case "include":
			g.include, err = regexps(k, v)
		case "exclude":
			g.exclude, err = regexps(k, v)
		case "replication.factor":
			n, perr := strconv.Atoi(strings.TrimSpace(v))
			if perr != nil || n == 0 || n < -1 || n > 32767 {
				err = keyErr(k, v, "must be -1 (the broker's default) or a positive number")
			}
			g.spec.ReplicationFactor = int16(n)
		case "partitions":
			n, perr := strconv.Atoi(strings.TrimSpace(v))
			if perr != nil || n == 0 || n < -1 || n > 1<<20 {
				err = keyErr(k, v, "must be -1 (the broker's default) or a positive number")
			}
			g.spec.Partitions = int32(n)
		default:
			val := v
			g.spec.Configs[key] = &val
		}
		if err != nil {
			return topicGroup{}, err
		}
	}
	return g, nil
}

func regexps(key, v string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, s := range splitList(v) {
		re, err := regexp.Compile("^(?:" + s + ")$")
		if err != nil {
			return nil, keyErr(key, s, fmt.Sprintf("is not a regular expression: %v", err))
		}
		out = append(out, re)
	}
	return out, nil
}

// Spec is how topic is created: by the first group in topic.creation.groups
// whose include matches it and whose exclude does not, else by the default group.
func (tc *TopicCreation) Spec(topic string) TopicSpec {
	for _, g := range tc.groups[:len(tc.groups)-1] {
		if matches(g.include, topic) && !matches(g.exclude, topic) {
			return g.spec
		}
	}
	return tc.groups[len(tc.groups)-1].spec
}

func matches(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// CreateTopic creates topic as spec says unless it exists. A replication
// factor larger than the cluster is capped at its broker count, as a
// single-broker development cluster would otherwise refuse every topic.
// Failures to reach the cluster are retriable; a refusal is not.
func CreateTopic(ctx context.Context, adm *kadm.Client, topic string, spec TopicSpec) error {
	// No metadata request for the topic itself: the client would cache its
	// absence and its next requests would not see the topic created here.
	meta, err := adm.BrokerMetadata(ctx)
	if err != nil {
		return connectors.Retriable(fmt.Errorf("broker metadata for topic %s: %w", topic, err))
	}
	rf := spec.ReplicationFactor
	if n := int16(len(meta.Brokers)); rf > n && n > 0 {
		rf = n
	}
	resp, err := adm.CreateTopic(ctx, spec.Partitions, rf, spec.Configs, topic)
	if err == nil {
		err = resp.Err
	}
	switch {
	case err == nil, errors.Is(err, kerr.TopicAlreadyExists):
		return nil
	case errors.Is(err, kerr.TopicAuthorizationFailed), errors.Is(err, kerr.ClusterAuthorizationFailed),
		errors.Is(err, kerr.InvalidConfig), errors.Is(err, kerr.InvalidReplicationFactor),
		errors.Is(err, kerr.InvalidPartitions), errors.Is(err, kerr.InvalidTopicException), errors.Is(err, kerr.PolicyViolation):
		return fmt.Errorf("creating topic %s (topic.creation group %s): %w", topic, spec.Group, err)
	}
	return connectors.Retriable(fmt.Errorf("creating topic %s (topic.creation group %s): %w", topic, spec.Group, err))
}
