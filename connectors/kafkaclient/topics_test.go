package kafkaclient

import (
	"context"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors/kafkaclient/tlstest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestParseTopicCreation(t *testing.T) {
	base := map[string]string{"topic.creation.default.replication.factor": "3", "topic.creation.default.partitions": "6",
		"topic.creation.default.retention.ms": "1000",
		"topic.creation.groups":               "compacted, logs",
		"topic.creation.compacted.include":    "users.*, accounts", "topic.creation.compacted.exclude": "users-tmp",
		"topic.creation.compacted.cleanup.policy": "compact", "topic.creation.compacted.partitions": "1",
		"topic.creation.logs.include": "logs-.*", "topic.creation.logs.replication.factor": "-1"}
	with := func(kv ...string) map[string]string { return tlstest.With(base, kv...) }
	tests := []struct {
		name, topic string
		cfg         map[string]string
		worker      bool
		off         bool
		group       string
		parts       int32
		rf          int16
		configs     string
		err         string
	}{
		{name: "first group wins", topic: "users-1", cfg: base, worker: true, group: "compacted", parts: 1, rf: -1, configs: "cleanup.policy=compact"},
		{name: "exclude falls through to default", topic: "users-tmp", cfg: base, worker: true, group: "default", parts: 6, rf: 3, configs: "retention.ms=1000"},
		{name: "second group", topic: "logs-a", cfg: base, worker: true, group: "logs", parts: -1, rf: -1},
		{name: "default", topic: "orders", cfg: base, worker: true, group: "default", parts: 6, rf: 3, configs: "retention.ms=1000"},
		{name: "worker disables", topic: "orders", cfg: base, worker: false, off: true},
		{name: "connector without defaults", topic: "orders", cfg: map[string]string{"topic.creation.groups": "x"}, worker: true, off: true},
		{name: "partitions without replication factor", cfg: map[string]string{"topic.creation.default.partitions": "1"}, worker: true, err: "both required"},
		{name: "group without include", cfg: with("topic.creation.logs.include", ""), worker: true, err: "topic.creation.logs.include"},
		{name: "bad regex", cfg: with("topic.creation.logs.include", "("), worker: true, err: "topic.creation.logs.include"},
		{name: "bad partitions", cfg: with("topic.creation.default.partitions", "0"), worker: true, err: "topic.creation.default.partitions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc, err := ParseTopicCreation(tt.worker, tt.cfg)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (tc == nil) != tt.off {
				t.Fatalf("topic creation on = %v, want %v", tc != nil, !tt.off)
			}
			if tc == nil {
				return
			}
			s := tc.Spec(tt.topic)
			var cfgs []string
			for _, k := range sortedKeys(s.Configs) {
				cfgs = append(cfgs, k+"="+*s.Configs[k])
			}
			if s.Group != tt.group || s.Partitions != tt.parts || s.ReplicationFactor != tt.rf || strings.Join(cfgs, ",") != tt.configs {
				t.Fatalf("spec %+v %v, want %s %d %d %s", s, cfgs, tt.group, tt.parts, tt.rf, tt.configs)
			}
		})
	}
}

// TestCreateTopicWithoutAutoCreate creates a topic on a cluster that does
// not auto-create topics (franz-go's in-process kfake broker, a fake), capping
// the replication factor at its broker count, and leaves an existing topic alone.
func TestCreateTopicWithoutAutoCreate(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx := context.Background()
	compact := "compact"
	spec := TopicSpec{Group: "default", Partitions: 4, ReplicationFactor: 3, Configs: map[string]*string{"cleanup.policy": &compact}}
	for i := 0; i < 2; i++ {
		if err := CreateTopic(ctx, adm, "orders", spec); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	// A fresh client: kgo caches the metadata seen before the topic existed.
	fresh, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	adm = kadm.NewClient(fresh)
	td, err := adm.ListTopics(ctx, "orders")
	if err != nil || len(td["orders"].Partitions) != 4 {
		t.Fatalf("orders: %+v err %v, want 4 partitions", td["orders"], err)
	}
	rc, err := adm.DescribeTopicConfigs(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := rc.On("orders", nil)
	found := false
	for _, e := range r.Configs {
		found = found || (e.Key == "cleanup.policy" && e.MaybeValue() == "compact")
	}
	if !found {
		t.Fatalf("cleanup.policy=compact not set: %+v", r.Configs)
	}
}
