// Package hasheaderkey is Kafka Connect's HasHeaderKey predicate: true for a
// record with at least one header of the configured name.
package hasheaderkey

import "github.com/ferryhq/ferry/connectors"

// Config is HasHeaderKey's configuration, key names as Kafka Connect's.
type Config struct {
	Name string `config:"name" required:"true" importance:"medium" doc:"The header name."`
}

// Predicate is one configured HasHeaderKey.
type Predicate struct{ name string }

// New configures HasHeaderKey.
func New(props map[string]string) (*Predicate, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	if c.Name == "" {
		return nil, &connectors.ConfigError{Key: "name", Value: "", Reason: "String must be non-empty"}
	}
	return &Predicate{name: c.Name}, nil
}

// Test reports whether any header has the name.
func (p *Predicate) Test(r *connectors.Record) bool {
	for i := range r.Headers {
		if r.Headers[i].Key == p.name {
			return true
		}
	}
	return false
}
