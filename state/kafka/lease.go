package kafka

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Leases elect the dispatching scheduler with Kafka alone, the way Kafka
// Connect's workers find their leader: every scheduler joins one consumer
// group, <group.id>-ferry-<lease name>, subscribed to the one-partition ferry
// topic, and the member the group assigns partition 0 leads. The group
// coordinator gives the partition to exactly one live member; a member that
// stops heartbeating for ttl (its session timeout) loses it to another. The
// cooperative sticky balancer keeps the partition with its owner when other
// schedulers join. Members never fetch (the topic is paused) and never
// commit.
type leases struct {
	s  *Store
	mu sync.Mutex
	m  map[string]*member
}

// member is this process's membership of one lease's group.
type member struct {
	cl *kgo.Client

	mu       sync.Mutex
	leading  bool
	assigned chan struct{} // closed at the first assignment
	once     sync.Once
}

func newLeases(s *Store) *leases { return &leases{s: s, m: map[string]*member{}} }

// close leaves every group, so another scheduler leads at once.
func (l *leases) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for name, m := range l.m {
		m.cl.Close() // leaves the group
		delete(l.m, name)
	}
}

// AcquireLease joins the lease's group on the first call (waiting up to a
// third of ttl for the first assignment) and reports whether this process
// holds partition 0 now. holder only names the caller in errors: the
// process is the member.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	m, err := s.leases.join(name, ttl)
	if err != nil {
		return false, fmt.Errorf("lease %s for %s: %w", name, holder, err)
	}
	t := time.NewTimer(ttl / 3)
	defer t.Stop()
	select {
	case <-m.assigned:
	case <-t.C:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.leading, nil
}

// join returns this process's member of the lease's group, joining it first.
func (l *leases) join(name string, ttl time.Duration) (*member, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m, ok := l.m[name]; ok {
		return m, nil
	}
	m := &member{assigned: make(chan struct{})}
	topic := l.s.o.Topics.Ferry
	set := func(parts map[string][]int32, lead bool) {
		for _, p := range parts[topic] {
			if p == 0 {
				m.mu.Lock()
				m.leading = lead
				m.mu.Unlock()
			}
		}
	}
	session := max(ttl, 6*time.Second) // brokers refuse sessions under group.min.session.timeout.ms (6s)
	cl, err := kgo.NewClient(l.s.o.clientOpts(
		kgo.ConsumerGroup(l.s.o.GroupID+"-ferry-"+name),
		kgo.ConsumeTopics(topic),
		kgo.Balancers(kgo.CooperativeStickyBalancer()),
		kgo.SessionTimeout(session),
		kgo.HeartbeatInterval(session/10),
		kgo.DisableAutoCommit(),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, p map[string][]int32) {
			set(p, true)
			m.once.Do(func() { close(m.assigned) })
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, p map[string][]int32) { set(p, false) }),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, p map[string][]int32) { set(p, false) }),
	)...)
	if err != nil {
		return nil, fmt.Errorf("joining the election group: %w", err)
	}
	cl.PauseFetchTopics(topic)
	l.m[name] = m
	m.cl = cl
	return m, nil
}
