package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/ferryhq/ferry/scheduler"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// unhonoured reports, for /config/validate and every create or update, the
// client overrides and topic.creation.* keys of a connector config that the
// worker's override policy forbids, that are malformed or that ferry cannot
// honour (kafkaclient.Config.Problems).
func unhonoured(props map[string]string) func(map[string]string) error {
	cfg, err := kafkaclient.New(props)
	if err != nil {
		return nil // the worker fails at start with this error
	}
	return func(config map[string]string) error {
		problems := cfg.Problems(config)
		var errs connectors.ConfigErrors
		for _, k := range slices.Sorted(maps.Keys(problems)) {
			errs = append(errs, &connectors.ConfigError{Key: k, Value: shown(k, config[k]), Reason: problems[k],
				Warning: strings.HasPrefix(problems[k], kafkaclient.CannotHonour)})
		}
		if len(errs) == 0 {
			return nil
		}
		return errs
	}
}

// shown is the value of key as an error may show it: secrets hidden.
func shown(key, v string) string {
	for _, s := range []string{"jaas", "password", "secret", "ssl.keystore.key"} {
		if strings.Contains(key, s) {
			return "[hidden]"
		}
	}
	return v
}

// groupAdmin connects the Kafka admin client the scheduler uses for sink
// connectors' consumer-group offsets, with the worker's admin keys
// (security.protocol, ssl.*, sasl.*, admin.*); without bootstrap servers there is none.
func groupAdmin(keys map[string]string) (scheduler.GroupAdmin, func(), error) {
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
