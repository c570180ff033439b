package scheduler

import (
	"context"
	"errors"
	"time"
)

// ErrShardsUnsupported is returned by New when Options.Shards asks for
// sharded dispatch over a store that keeps no member list.
var ErrShardsUnsupported = errors.New("sharded dispatch unsupported by the state store")

// runSharded dispatches the connectors of the shards this scheduler holds
// until ctx is done: a keeper renews its membership and its shards' leases
// every ttl/3, the loop dispatches what they cover. On the way out it waits
// for its invocations, then gives its leases and membership up, so the
// other schedulers take its shards at their next round instead of after a
// ttl.
func (s *Scheduler) runSharded(ctx context.Context) error {
	m := s.o.Store.(memberships) // New checked it
	holder, ttl := s.holderID(), s.leaseTTL()
	own := newOwnership(s.o.Shards, ttl, s.o.Now)
	s.metrics.SetOwner(own.owns)
	loopDone := make(chan struct{})
	go func() { defer close(loopDone); _ = s.runLoop(ctx, own) }()
	s.log.Info("sharded dispatch: joining the schedulers", "holder", holder, "shards", s.o.Shards)
	s.keepShards(ctx, m, holder, ttl, own)
	<-loopDone
	s.leave(m, holder, own)
	s.metrics.SetLeading(false)
	return nil
}

// keepShards runs keeper rounds every ttl/3 until ctx is done.
func (s *Scheduler) keepShards(ctx context.Context, m memberships, holder string, ttl time.Duration, own *ownership) {
	tick := time.NewTicker(ttl / 3)
	defer tick.Stop()
	held := -1
	for {
		s.renewShards(ctx, m, holder, ttl, own)
		if n := own.count(); n != held {
			s.log.Info("sharded dispatch: shards held", "holder", holder, "held", n, "of", s.o.Shards)
			s.metrics.SetLeading(n > 0)
			held = n
		}
		s.poke()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// renewShards is one keeper round: renew membership, work out the shards
// this member should hold from the live members, take or renew their
// leases, and drop every other shard. A store error keeps the shards as
// they are: each stays dispatched only while its last renewal is recent.
func (s *Scheduler) renewShards(ctx context.Context, m memberships, holder string, ttl time.Duration, own *ownership) {
	cctx, cancel := context.WithTimeout(ctx, ttl/3)
	defer cancel()
	members, err := m.Members(cctx, membersGroup, holder, ttl)
	s.noteLease(err)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("sharded dispatch: renewing membership failed; keeping shards until their leases lapse", "err", err)
		}
		return
	}
	if len(members) > maxMembers {
		s.log.Error("sharded dispatch: too many schedulers in the member list; holding no shard", "members", len(members), "max", maxMembers)
		own.set(map[int]time.Time{})
		return
	}
	held := map[int]time.Time{}
	for _, k := range assignShards(s.o.Shards, members, holder) {
		start := s.o.Now()
		ok, err := s.o.Store.AcquireLease(cctx, shardLease(k), holder, ttl)
		switch {
		case err == nil && ok:
			held[k] = start
		case err != nil:
			if at, was := own.renewedAt(k); was {
				held[k] = at // not renewed: it lapses on time
			}
		}
	}
	own.set(held)
}

// leave gives up the shards' leases and the membership (by renewing them
// for a millisecond), within two seconds.
func (s *Scheduler) leave(m memberships, holder string, own *ownership) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, k := range own.shards() {
		_, _ = s.o.Store.AcquireLease(ctx, shardLease(k), holder, time.Millisecond)
	}
	own.set(map[int]time.Time{})
	if _, err := m.Members(ctx, membersGroup, holder, time.Millisecond); err != nil {
		s.log.Warn("sharded dispatch: leaving the member list failed; the others notice within the lease ttl", "err", err)
	}
}
