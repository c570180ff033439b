// Package filter is Kafka Connect's Filter: it drops every record it is
// applied to, so it is used with a predicate (and negate).
package filter

import "github.com/ferryhq/ferry/connectors"

// Config is Filter's configuration: it has no keys.
type Config struct{}

// Transform is Filter.
type Transform struct{}

// New configures Filter.
func New(map[string]string) (*Transform, error) { return &Transform{}, nil }

// Apply drops the record.
func (Transform) Apply(*connectors.Record) (*connectors.Record, error) { return nil, nil }
