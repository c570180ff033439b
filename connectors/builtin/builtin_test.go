package builtin

import (
	"errors"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

func TestRegistryLookup(t *testing.T) {
	reg := Registry()
	tests := []struct {
		name, class string
		typ         connectors.PluginType
	}{
		{"org.apache.kafka.connect.file.FileStreamSourceConnector", "org.apache.kafka.connect.file.FileStreamSourceConnector", connectors.TypeSource},
		{"FileStreamSource", "org.apache.kafka.connect.file.FileStreamSourceConnector", connectors.TypeSource},
		{"FileStreamSinkConnector", "org.apache.kafka.connect.file.FileStreamSinkConnector", connectors.TypeSink},
		{"FileStreamSink", "org.apache.kafka.connect.file.FileStreamSinkConnector", connectors.TypeSink},
		{"io.confluent.kafka.connect.datagen.DatagenConnector", "io.confluent.kafka.connect.datagen.DatagenConnector", connectors.TypeSource},
		{"DatagenConnector", "io.confluent.kafka.connect.datagen.DatagenConnector", connectors.TypeSource},
		{"datagen", "io.confluent.kafka.connect.datagen.DatagenConnector", connectors.TypeSource},
		{"com.redis.kafka.connect.RedisSinkConnector", "com.redis.kafka.connect.RedisSinkConnector", connectors.TypeSink},
		{"RedisSink", "com.redis.kafka.connect.RedisSinkConnector", connectors.TypeSink},
		{"RedisStreamSourceConnector", "com.redis.kafka.connect.RedisStreamSourceConnector", connectors.TypeSource},
		{"ferry.connect.nats.NatsSourceConnector", "ferry.connect.nats.NatsSourceConnector", connectors.TypeSource},
		{"nats-sink", "ferry.connect.nats.NatsSinkConnector", connectors.TypeSink},
		{"io.confluent.connect.http.HttpSinkConnector", "io.confluent.connect.http.HttpSinkConnector", connectors.TypeSink},
		{"HttpSink", "io.confluent.connect.http.HttpSinkConnector", connectors.TypeSink},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := reg.Lookup(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if p.Class != tc.class || p.Type != tc.typ || p.Version != Version {
				t.Fatalf("got %s %s %s", p.Class, p.Type, p.Version)
			}
		})
	}
	if _, err := reg.Lookup("NoSuchConnector"); !errors.Is(err, connectors.ErrUnknownClass) {
		t.Fatalf("err = %v", err)
	}
}

// TestPluginsComplete checks every plugin can be constructed and declares its config.
func TestPluginsComplete(t *testing.T) {
	for _, p := range Plugins() {
		t.Run(p.Class, func(t *testing.T) {
			if p.NewConnector == nil || p.NewConnector() == nil || p.Config == nil {
				t.Fatal("missing connector or config")
			}
			if len(connectors.Declare(p.Config).Keys) == 0 {
				t.Fatal("config declares no keys")
			}
			switch p.Type {
			case connectors.TypeSource:
				if p.NewSource == nil || p.NewSource() == nil {
					t.Fatal("source without NewSource")
				}
			case connectors.TypeSink:
				if p.NewSink == nil || p.NewSink() == nil {
					t.Fatal("sink without NewSink")
				}
			default:
				t.Fatalf("unexpected type %s", p.Type)
			}
		})
	}
}
