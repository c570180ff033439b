//go:build integration

package redis

import (
	"context"
	"slices"
	"strings"
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

// Members lists who renewed within their ttl, each with the time it has
// left: a member that stops renewing drops out, one that leaves (a
// millisecond's ttl) drops out at once.
func TestMembers(t *testing.T) {
	c := client(t)
	s := New(c, Options{Prefix: prefix(t, c)})
	ctx := context.Background()
	const ttl = 400 * time.Millisecond
	steps := []struct {
		holder string
		ttl    time.Duration
		wait   time.Duration
		want   string
	}{
		{"a", ttl, 0, "a"},
		{"b", ttl, 0, "a,b"},
		{"c", ttl, 0, "a,b,c"},
		{"a", ttl, 250 * time.Millisecond, "a,b,c"}, // a renews; b and c still within their ttl
		{"a", ttl, 250 * time.Millisecond, "a"},     // b and c stopped renewing
		{"b", ttl, 0, "a,b"},                        // b is back
		{"b", time.Millisecond, 0, "a"},             // b leaves
	}
	for i, st := range steps {
		time.Sleep(st.wait)
		got, err := s.Members(ctx, "schedulers", st.holder, st.ttl)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		var names []string
		for _, m := range got {
			names = append(names, m.Name)
			switch {
			case m.Left <= 0 || m.Left > ttl:
				t.Fatalf("step %d: member %s has %s left, want within (0, %s]", i, m.Name, m.Left, ttl)
			case m.Name == st.holder && m.Left < ttl-100*time.Millisecond:
				t.Fatalf("step %d: %s just renewed for %s but has %s left", i, m.Name, ttl, m.Left)
			}
		}
		slices.Sort(names)
		if strings.Join(names, ",") != st.want {
			t.Fatalf("step %d: %s renews: members %v, want %s", i, st.holder, names, st.want)
		}
	}
}
