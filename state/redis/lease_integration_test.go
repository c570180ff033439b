//go:build integration

package redis

import (
	"context"
	"testing"
	"time"
)

// One holder at a time; the holder renews; a lease nobody renews expires.
func TestLease(t *testing.T) {
	c := client(t)
	s := New(c, Options{Prefix: prefix(t, c)})
	ctx := context.Background()
	const ttl = 300 * time.Millisecond
	steps := []struct {
		holder string
		wait   time.Duration
		want   bool
	}{
		{"a", 0, true},                       // free: a takes it
		{"b", 0, false},                      // held by a
		{"a", 150 * time.Millisecond, true},  // a renews
		{"b", 200 * time.Millisecond, false}, // a's renewal still holds
		{"b", 400 * time.Millisecond, true},  // a stopped renewing: expired, b takes it
		{"a", 0, false},                      // now held by b
	}
	for i, st := range steps {
		time.Sleep(st.wait)
		got, err := s.AcquireLease(ctx, "scheduler", st.holder, ttl)
		if err != nil || got != st.want {
			t.Fatalf("step %d: %s acquire = %v, %v; want %v", i, st.holder, got, err, st.want)
		}
	}
}
