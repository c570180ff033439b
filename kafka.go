package main

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/ferryhq/ferry/scheduler"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// kafkaKeys are the Kafka client keys of the worker properties, with
// --bootstrap-servers (or FERRY_BOOTSTRAP_SERVERS) winning over bootstrap.servers.
func kafkaKeys(bootstrap string, props map[string]string) map[string]string {
	out := make(map[string]string, len(props)+1)
	for k, v := range props {
		out[k] = v
	}
	if bootstrap != "" {
		out["bootstrap.servers"] = bootstrap
	}
	return out
}

// logKafkaProblems logs, once at start, the worker's producer./consumer./admin.
// keys ferry cannot honour.
func logKafkaProblems(props map[string]string, log *slog.Logger) {
	cfg, err := kafkaclient.New(props)
	if err != nil {
		return // NewHandler and groupAdmin report it
	}
	problems := cfg.WorkerProblems()
	for _, k := range slices.Sorted(maps.Keys(problems)) {
		log.Warn("worker Kafka client key not applied", "key", k, "reason", problems[k])
	}
}

// groupAdmin connects the Kafka admin client the scheduler uses for sink
// connectors' consumer-group offsets, with the worker's admin keys
// (security.protocol, ssl.*, sasl.*, admin.*); without bootstrap servers there is none.
func groupAdmin(bootstrap string, props map[string]string) (scheduler.GroupAdmin, func(), error) {
	keys := kafkaKeys(bootstrap, props)
	if keys["bootstrap.servers"] == "" {
		return nil, func() {}, nil
	}
	cfg, err := kafkaclient.New(keys)
	if err != nil {
		return nil, nil, fmt.Errorf("worker Kafka client config: %w", err)
	}
	c, err := cfg.Client(kafkaclient.Admin, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("worker Kafka admin client config: %w", err)
	}
	cl, err := kgo.NewClient(c.Opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("kafka admin client for %s: %w", keys["bootstrap.servers"], err)
	}
	return kadm.NewClient(cl), cl.Close, nil
}
