package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// TestUnhonouredOverrides: the client overrides /config/validate reports, by
// key, without showing secrets.
func TestUnhonouredOverrides(t *testing.T) {
	tests := []struct {
		name   string
		worker map[string]string
		config map[string]string
		keys   string
	}{
		{"honoured", nil, map[string]string{"producer.override.linger.ms": "5", "consumer.override.max.poll.records": "10"}, ""},
		{"cannot honour", nil, map[string]string{"producer.override.partitioner.class": "x.Y"}, "producer.override.partitioner.class"},
		{"cannot honour (Kafka Connect configs set it)", nil, map[string]string{"consumer.override.max.poll.interval.ms": "600000"}, "consumer.override.max.poll.interval.ms"},
		{"policy None", map[string]string{"connector.client.config.override.policy": "None"},
			map[string]string{"producer.override.acks": "1"}, "producer.override.acks"},
		{"bad jaas hidden", nil, map[string]string{"producer.override.security.protocol": "SASL_SSL",
			"producer.override.sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="topsecret"`},
			"producer.override.sasl.jaas.config"},
		{"topic creation", nil, map[string]string{"topic.creation.default.partitions": "0", "topic.creation.default.replication.factor": "1"},
			"topic.creation.default.partitions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := unhonoured(tt.worker)(tt.config)
			var keys []string
			var ces connectors.ConfigErrors
			if errors.As(err, &ces) {
				for _, e := range ces {
					keys = append(keys, e.Key)
				}
			}
			if strings.Join(keys, ",") != tt.keys {
				t.Fatalf("keys %v, want %q: %v", keys, tt.keys, err)
			}
			// A key ferry cannot honour is a warning (accepted, no effect);
			// a forbidden override or a bad value refuses the config.
			for _, e := range ces {
				if want := strings.HasPrefix(tt.name, "cannot honour"); e.Warning != want {
					t.Errorf("%s: Warning %v, want %v", e.Key, e.Warning, want)
				}
			}
			if err != nil && strings.Contains(err.Error(), "topsecret") {
				t.Fatalf("a secret is shown: %v", err)
			}
		})
	}
}
