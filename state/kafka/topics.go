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
// whose settings would lose data, naming the topic, the setting and the fix.
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
			if s.single && len(td.Partitions) != 1 {
				return fmt.Errorf("%w: topic '%s' supplied via the '%s' property is required to have a single partition in order to guarantee consistency of connector configurations, but it has %d partitions; partitions cannot be removed: set '%s' to a new topic (ferry creates it with one partition)",
					ErrTopicSettings, s.name, s.key, len(td.Partitions), s.key)
			}
			existing = append(existing, s)
		case ok && !errors.Is(td.Err, kerr.UnknownTopicOrPartition):
			return retriable("metadata of topic %s: %w", s.name, td.Err)
		default:
			if err := create(ctx, adm, s, len(meta.Brokers), log); err != nil {
				return err
			}
		}
	}
	return checkCompacted(ctx, adm, existing)
}

// create makes one topic as Kafka Connect does: compacted.
func create(ctx context.Context, adm *kadm.Client, s topicSpec, brokers int, log *slog.Logger) error {
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
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return retriable("creating topic %s (%s): %w", s.name, s.key, err)
	}
	return nil
}

// checkCompacted refuses existing topics whose cleanup.policy is not compact.
func checkCompacted(ctx context.Context, adm *kadm.Client, specs []topicSpec) error {
	if len(specs) == 0 {
		return nil
	}
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	cfgs, err := adm.DescribeTopicConfigs(ctx, names...)
	if err != nil {
		return retriable("reading the configs of the state store topics: %w", err)
	}
	for _, s := range specs {
		rc, err := cfgs.On(s.name, nil)
		if err == nil {
			err = rc.Err
		}
		if err != nil {
			return retriable("reading the config of topic %s: %w", s.name, err)
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
	}
	return nil
}
