package kafkaclient

import (
	"fmt"
	"strings"
)

// CannotHonour is the prefix of a Problems message for a key that ferry
// accepts but cannot honour: a warning, not a refusal, so a connector config
// written for Kafka Connect still runs (the key has no effect).
const CannotHonour = "ferry cannot honour "

// Problems lists, by config key, the client overrides of a connector config
// (producer.override.*, consumer.override.*, admin.override.*) that the
// override policy forbids, that have a bad value, or that ferry cannot
// honour (messages starting with CannotHonour), and bad topic.creation.*
// settings; /config/validate reports each one on its key. Nil means none.
func (c *Config) Problems(connector map[string]string) map[string]string {
	out := map[string]string{}
	for _, r := range []Role{Producer, Consumer, Admin} {
		prefix := string(r) + ".override."
		sec := map[string]string{}
		for k, v := range connector {
			key, ok := strings.CutPrefix(k, prefix)
			if !ok {
				continue
			}
			if err := c.allowed(k, key); err != nil {
				out[k] = err.(*ConfigError).Msg
				continue
			}
			if isBaseKey(key) {
				sec[key] = v
				continue
			}
			if msg := keyProblem(r, key, v); msg != "" {
				out[k] = msg
			}
		}
		if len(sec) > 0 {
			if _, err := c.Client(r, connector); err != nil {
				key, msg := prefix+"security.protocol", err.Error()
				if ce, ok := err.(*ConfigError); ok {
					key, msg = prefix+ce.Key, ce.Msg
				}
				out[key] = msg
			}
		}
	}
	if _, err := ParseTopicCreation(true, connector); err != nil {
		if ce, ok := err.(*ConfigError); ok {
			out[ce.Key] = ce.Msg
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// WorkerProblems lists, by key, the worker's producer./consumer./admin.
// keys ferry cannot honour or whose value is bad; the worker logs them at start.
func (c *Config) WorkerProblems() map[string]string {
	out := map[string]string{}
	for k, v := range c.worker {
		for _, r := range []Role{Producer, Consumer, Admin} {
			key, ok := strings.CutPrefix(k, string(r)+".")
			if !ok || strings.HasPrefix(key, "override.") || isBaseKey(key) {
				continue
			}
			if msg := keyProblem(r, key, v); msg != "" {
				out[k] = msg
			}
		}
	}
	return out
}

// keyProblem says why one non-security client key cannot be used, "" when it can.
func keyProblem(r Role, key, v string) string {
	ck, ok := clientKeys[key]
	switch {
	case ok && hasRole(ck.roles, r):
		var cl Client
		if _, err := ck.apply(strings.TrimSpace(v), &cl); err != nil {
			return fmt.Sprintf("%q %v", v, err)
		}
		return ""
	case ok:
		return fmt.Sprintf("%s is not a %s setting", key, r)
	case unhonoured[key] != "":
		return CannotHonour + key + ": " + unhonoured[key]
	}
	return CannotHonour + key + ": franz-go, ferry's Kafka client, has no equivalent"
}
