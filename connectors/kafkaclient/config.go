// Package kafkaclient turns Kafka client keys — bootstrap.servers,
// security.protocol, ssl.*, sasl.*, and the producer/consumer/admin keys
// franz-go can honour — into franz-go client options, with Kafka Connect's
// layering: the worker's keys, then its producer./consumer./admin. prefixed
// keys, then a connector's producer.override./consumer.override./admin.override.
// keys as connector.client.config.override.policy allows.
package kafkaclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Role is the kind of client: it picks the worker's key prefix (producer.,
// consumer., admin.) and the connector's override prefix.
type Role string

// The client roles of Kafka Connect.
const (
	Producer Role = "producer"
	Consumer Role = "consumer"
	Admin    Role = "admin"
)

// PolicyKey is the worker key that governs connector client overrides.
const PolicyKey = "connector.client.config.override.policy"

// principalKeys are the overrides the Principal policy allows.
var principalKeys = map[string]bool{"sasl.jaas.config": true, "sasl.mechanism": true, "security.protocol": true}

// Config is the worker's Kafka client configuration.
type Config struct {
	worker map[string]string
	policy string
}

// New reads the worker's Kafka keys (a worker .properties map). It fails on a
// bad override policy and on security keys no client could use.
func New(worker map[string]string) (*Config, error) {
	w := make(map[string]string, len(worker))
	for k, v := range worker {
		w[k] = v
	}
	policy := w[PolicyKey]
	switch strings.ToLower(policy) {
	case "", "all", "org.apache.kafka.connect.connector.policy.allconnectorclientconfigoverridepolicy":
		policy = "All"
	case "none", "org.apache.kafka.connect.connector.policy.noneconnectorclientconfigoverridepolicy":
		policy = "None"
	case "principal", "org.apache.kafka.connect.connector.policy.principalconnectorclientconfigoverridepolicy":
		policy = "Principal"
	default:
		return nil, keyErr(PolicyKey, policy, "want None, Principal or All")
	}
	c := &Config{worker: w, policy: policy}
	for _, r := range []Role{Producer, Consumer, Admin} {
		if _, err := c.Client(r, nil); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Seeds are the worker's bootstrap servers.
func (c *Config) Seeds() []string { return splitList(c.worker["bootstrap.servers"]) }

// Client is one client's resolved configuration.
type Client struct {
	// Opts are the franz-go options: seeds, TLS, SASL and the mapped keys.
	Opts []kgo.Opt
	// Keys are the effective Kafka keys after prefixes and overrides.
	Keys map[string]string
	// MaxPollRecords is max.poll.records (0 when not set).
	MaxPollRecords int
}

// Keys returns the effective keys of role for a connector config (nil for the
// worker's own clients): base keys, worker prefixed keys, connector overrides.
func (c *Config) Keys(role Role, connector map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range c.worker {
		if isBaseKey(k) {
			out[k] = v
		}
	}
	for k, v := range c.worker {
		if rest, ok := strings.CutPrefix(k, string(role)+"."); ok && !strings.HasPrefix(rest, "override.") {
			out[rest] = v
		}
	}
	for k, v := range connector {
		rest, ok := strings.CutPrefix(k, string(role)+".override.")
		if !ok {
			continue
		}
		if err := c.allowed(k, rest); err != nil {
			return nil, err
		}
		out[rest] = v
	}
	return out, nil
}

// allowed applies the override policy to one connector override key.
func (c *Config) allowed(full, key string) error {
	switch c.policy {
	case "None":
		return &ConfigError{Key: full, Msg: fmt.Sprintf("client overrides are not allowed by the worker's %s=None", PolicyKey)}
	case "Principal":
		if !principalKeys[key] {
			return &ConfigError{Key: full, Msg: fmt.Sprintf("only sasl.jaas.config, sasl.mechanism and security.protocol may be overridden under the worker's %s=Principal", PolicyKey)}
		}
	}
	return nil
}

// Client returns the options of role's client for a connector config (nil
// for the worker's own clients).
func (c *Config) Client(role Role, connector map[string]string) (Client, error) {
	keys, err := c.Keys(role, connector)
	if err != nil {
		return Client{}, err
	}
	return build(role, keys)
}

// build turns effective keys into options.
func build(role Role, keys map[string]string) (Client, error) {
	cl := Client{Keys: keys}
	if seeds := splitList(keys["bootstrap.servers"]); len(seeds) > 0 {
		cl.Opts = append(cl.Opts, kgo.SeedBrokers(seeds...))
	}
	sec, err := Security(keys)
	if err != nil {
		return Client{}, err
	}
	cl.Opts = append(cl.Opts, sec...)
	mapped, err := mapKeys(role, keys, &cl)
	if err != nil {
		return Client{}, err
	}
	cl.Opts = append(cl.Opts, mapped...)
	return cl, nil
}

// Security returns the TLS and SASL options of security.protocol, ssl.* and sasl.*.
func Security(keys map[string]string) ([]kgo.Opt, error) {
	proto := strings.ToUpper(strings.TrimSpace(keys["security.protocol"]))
	var opts []kgo.Opt
	switch proto {
	case "", "PLAINTEXT":
		return nil, nil
	case "SSL", "SASL_SSL":
		t, err := tlsConfig(keys)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(t))
	case "SASL_PLAINTEXT":
	default:
		return nil, keyErr("security.protocol", keys["security.protocol"], "want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
	}
	if strings.HasPrefix(proto, "SASL_") {
		m, err := mechanism(keys)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

// isBaseKey reports whether a top-level worker key applies to every client.
func isBaseKey(k string) bool {
	return k == "bootstrap.servers" || k == "security.protocol" || k == "client.dns.lookup" ||
		strings.HasPrefix(k, "ssl.") || strings.HasPrefix(k, "sasl.")
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// isTLSRefusal reports a certificate the client or the broker refused.
func isTLSRefusal(err error) bool {
	var (
		cv *tls.CertificateVerificationError
		ua x509.UnknownAuthorityError
		he x509.HostnameError
		ci x509.CertificateInvalidError
		ae tls.AlertError
	)
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &ae) {
		return true
	}
	// An alert the broker sent during the handshake ("remote error: tls: bad
	// certificate" when mTLS wants a client certificate).
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}

// isKafkaAuthErr reports a broker's refusal to authenticate or authorize.
func isKafkaAuthErr(err error) bool {
	for _, e := range []error{kerr.SaslAuthenticationFailed, kerr.IllegalSaslState, kerr.UnsupportedSaslMechanism,
		kerr.TopicAuthorizationFailed, kerr.GroupAuthorizationFailed, kerr.ClusterAuthorizationFailed,
		kerr.TransactionalIDAuthorizationFailed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
