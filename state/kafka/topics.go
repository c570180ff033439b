package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// Kafka Connect's topic defaults: its example worker files name the topics,
// and it creates them compacted with these partition counts and replication
// factor 3 (config.storage.replication.factor, offset.storage.partitions, ...).
const (
	DefaultConfigTopic       = "connect-configs"
	DefaultStatusTopic       = "connect-status"
	DefaultReplication       = 3
	DefaultStatusPartitions  = 5
	DefaultOffsetsPartitions = Partitions
)

// ErrTopicSettings is wrapped by the error for a store topic that exists
// with settings Kafka Connect refuses (not compacted, or a config topic with
// more than one partition).
var ErrTopicSettings = errors.New("state store topic has the wrong settings")

// Topics names the store's four topics and how to create the missing ones.
// Zero values take Kafka Connect's defaults; a replication factor of -1
// takes the broker's default, and one larger than the cluster is lowered to
// the broker count (with a warning).
type Topics struct {
	Config, Offsets, Status string
	// Ferry is the topic of ferry's own records (epochs, generations, signing
	// keys); <Config>.ferry when empty.
	Ferry                          string
	ConfigRF, OffsetsRF, StatusRF  int16
	OffsetsPartitions, StatusParts int32
}

// withDefaults fills in Kafka Connect's defaults.
func (t Topics) withDefaults() Topics {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&t.Config, DefaultConfigTopic)
	def(&t.Offsets, DefaultTopic)
	def(&t.Status, DefaultStatusTopic)
	def(&t.Ferry, t.Config+".ferry")
	for _, rf := range []*int16{&t.ConfigRF, &t.OffsetsRF, &t.StatusRF} {
		if *rf == 0 {
			*rf = DefaultReplication
		}
	}
	if t.OffsetsPartitions == 0 {
		t.OffsetsPartitions = DefaultOffsetsPartitions
	}
	if t.StatusParts == 0 {
		t.StatusParts = DefaultStatusPartitions
	}
	return t
}

// topicSpec is one topic to create or check; key is the worker key naming it.
type topicSpec struct {
	key, name  string
	partitions int32
	rf         int16
	single     bool // must have exactly one partition
	// segmentMs, when set, rolls segments that often so compaction keeps
	// up with a topic written at every dispatch (the ferry topic's epochs).
	segmentMs string
}

func (t Topics) specs() []topicSpec {
	return []topicSpec{
		{"config.storage.topic", t.Config, 1, t.ConfigRF, true, ""},
		{"offset.storage.topic", t.Offsets, t.OffsetsPartitions, t.OffsetsRF, false, ""},
		{"status.storage.topic", t.Status, t.StatusParts, t.StatusRF, false, ""},
		{"ferry.storage.topic", t.Ferry, 1, t.ConfigRF, true, "3600000"},
	}
}

func (t Topics) names() []string {
	return []string{t.Config, t.Offsets, t.Status, t.Ferry}
}

// ensure creates the missing topics compacted, and refuses existing ones
// (also those another client created meanwhile) whose settings would lose
// data, naming the topic, the setting and the fix.
func (t Topics) ensure(ctx context.Context, adm *kadm.Client, log *slog.Logger) error {
	meta, err := adm.Metadata(ctx, t.names()...)
	if err != nil {
		return retriable("reading metadata of the state store topics: %w", err)
	}
	var existing []topicSpec
	for _, s := range t.specs() {
		td, ok := meta.Topics[s.name]
		switch {
		case ok && td.Err == nil:
			existing = append(existing, s)
		case ok && !errors.Is(td.Err, kerr.UnknownTopicOrPartition):
			return retriable("metadata of topic %s: %w", s.name, td.Err)
		default:
			made, err := create(ctx, adm, s, len(meta.Brokers), log)
			if err != nil {
				return err
			}
			if !made { // created meanwhile by another client: check it like any existing one
				existing = append(existing, s)
			}
		}
	}
	for _, s := range existing {
		if err := checkTopic(ctx, adm, s); err != nil {
			return err
		}
	}
	return nil
}

// checkTopic refuses a config or ferry topic with more than one partition
// and any topic whose cleanup.policy is not compact.
func checkTopic(ctx context.Context, adm *kadm.Client, s topicSpec) error {
	if s.single {
		parts, err := partitions(ctx, adm, s.name)
		if err != nil {
			return err
		}
		if parts != 1 {
			return fmt.Errorf("%w: topic '%s' supplied via the '%s' property is required to have a single partition in order to guarantee consistency of connector configurations, but it has %d partitions; partitions cannot be removed: set '%s' to a new topic (ferry creates it with one partition)",
				ErrTopicSettings, s.name, s.key, parts, s.key)
		}
	}
	return checkCompacted(ctx, adm, s)
}

// partitions counts a topic's partitions, asking again while the broker
// does not know the topic yet.
func partitions(ctx context.Context, adm *kadm.Client, topic string) (int, error) {
	for attempt := 1; ; attempt++ {
		meta, err := adm.Metadata(ctx, topic)
		if err == nil {
			err = meta.Topics[topic].Err
		}
		if err == nil && len(meta.Topics[topic].Partitions) > 0 {
			return len(meta.Topics[topic].Partitions), nil
		}
		if (err != nil && !errors.Is(err, kerr.UnknownTopicOrPartition) && !errors.Is(err, kerr.LeaderNotAvailable)) || pause(ctx, attempt) != nil {
			return 0, retriable("reading metadata of topic %s: %w", topic, err)
		}
	}
}

// create makes one topic as Kafka Connect does: compacted. made is false
// when the topic already existed.
func create(ctx context.Context, adm *kadm.Client, s topicSpec, brokers int, log *slog.Logger) (made bool, err error) {
	rf := s.rf
	if rf > 0 && int(rf) > brokers && brokers > 0 {
		log.Warn("lowering the replication factor of a new state store topic to the number of brokers",
			"topic", s.name, "key", strings.TrimSuffix(s.key, ".topic")+".replication.factor", "asked", rf, "brokers", brokers)
		rf = int16(brokers)
	}
	compact := "compact"
	cfg := map[string]*string{"cleanup.policy": &compact}
	if s.segmentMs != "" {
		cfg["segment.ms"] = &s.segmentMs
	}
	resp, err := adm.CreateTopic(ctx, s.partitions, rf, cfg, s.name)
	if err == nil {
		err = resp.Err
	}
	switch {
	case errors.Is(err, kerr.TopicAlreadyExists):
		return false, nil
	case err != nil:
		return false, retriable("creating topic %s (%s): %w", s.name, s.key, err)
	}
	return true, nil
}

// checkCompacted refuses a topic whose cleanup.policy is not compact.
func checkCompacted(ctx context.Context, adm *kadm.Client, s topicSpec) error {
	rc, err := describe(ctx, adm, s.name)
	if err != nil {
		return err
	}
	policy := "delete"
	for _, c := range rc.Configs {
		if c.Key == "cleanup.policy" && c.Value != nil {
			policy = *c.Value
		}
	}
	if policy != "compact" {
		return fmt.Errorf("%w: topic '%s' supplied via the '%s' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of its records, but found 'cleanup.policy=%s'; fix: kafka-configs.sh --bootstrap-server <broker> --alter --entity-type topics --entity-name %s --add-config cleanup.policy=compact (or set '%s' to a new topic)",
			ErrTopicSettings, s.name, s.key, policy, s.name, s.key)
	}
	return nil
}

// describe reads a topic's config, asking again while the broker does not
// know the topic yet (just created by another client).
func describe(ctx context.Context, adm *kadm.Client, topic string) (kadm.ResourceConfig, error) {
	for attempt := 1; ; attempt++ {
		cfgs, err := adm.DescribeTopicConfigs(ctx, topic)
		var rc kadm.ResourceConfig
		if err == nil {
			rc, err = cfgs.On(topic, nil)
		}
		if err == nil {
			err = rc.Err
		}
		if err == nil {
			return rc, nil
		}
		if !errors.Is(err, kerr.UnknownTopicOrPartition) || pause(ctx, attempt) != nil {
			return rc, retriable("reading the config of topic %s: %w", topic, err)
		}
	}
}
