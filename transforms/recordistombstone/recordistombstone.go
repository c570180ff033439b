// Package recordistombstone is Kafka Connect's RecordIsTombstone predicate:
// true for a record whose value is null.
package recordistombstone

import "github.com/ferryhq/ferry/connectors"

// Config is RecordIsTombstone's configuration: it has no keys.
type Config struct{}

// Predicate is RecordIsTombstone.
type Predicate struct{}

// New configures RecordIsTombstone.
func New(map[string]string) (*Predicate, error) { return &Predicate{}, nil }

// Test reports whether the record value is null (the key does not matter).
func (Predicate) Test(r *connectors.Record) bool { return r.Value == nil }
