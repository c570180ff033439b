package kafka

import (
	"context"
	"time"
)

// leases is the schedulers' election (placeholder: every scheduler leads;
// epochs keep a second dispatcher harmless).
type leases struct{ s *Store }

func newLeases(s *Store) *leases { return &leases{s: s} }

func (l *leases) close() {}

// AcquireLease reports whether holder leads.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	return true, nil
}
