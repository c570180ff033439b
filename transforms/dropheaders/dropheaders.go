// Package dropheaders is Kafka Connect's DropHeaders: it removes every header
// whose key is listed.
package dropheaders

import (
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is DropHeaders' configuration, key names as Kafka Connect's.
type Config struct {
	Headers []string `config:"headers" required:"true" importance:"high" doc:"The name of the headers to be removed."`
}

// Transform is one configured DropHeaders.
type Transform struct{ drop map[string]bool }

// New configures DropHeaders.
func New(props map[string]string) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	if len(c.Headers) == 0 {
		return nil, &connectors.ConfigError{Key: "headers", Value: "[]", Reason: "Empty list"}
	}
	t := &Transform{drop: map[string]bool{}}
	for _, h := range c.Headers {
		t.drop[h] = true
	}
	return t, nil
}

// Apply removes the headers, keeping the order of the others.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	kept := make([]connectors.Header, 0, len(r.Headers))
	for _, h := range r.Headers {
		if !t.drop[h.Key] {
			kept = append(kept, h)
		}
	}
	if owned {
		r.Headers = kept
		return r, nil
	}
	c := *r
	c.Headers = kept
	return &c, nil
}

// ApplyInPlace is Apply for a record only the chain references: it is changed instead of copied.
func (t *Transform) ApplyInPlace(r *connectors.Record, own operand.Owned) (*connectors.Record, error) {
	return t.apply(r, own.Record)
}

// Apply runs the transformation on r, which it does not change.
func (t *Transform) Apply(r *connectors.Record) (*connectors.Record, error) { return t.apply(r, false) }
