package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/ferryhq/ferry/state"
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

// keepShards runs keeper rounds until ctx is done, each when nextRound
// says.
func (s *Scheduler) keepShards(ctx context.Context, m memberships, holder string, ttl time.Duration, own *ownership) {
	timer := time.NewTimer(ttl / 3)
	defer timer.Stop()
	held := -1
	for {
		began := time.Now()
		wait := s.renewShards(ctx, m, holder, ttl, own) - time.Since(began) // a round's time counts, as a ticker's would
		if n := own.count(); n != held {
			s.log.Info("sharded dispatch: shards held", "holder", holder, "held", n, "of", s.o.Shards)
			s.metrics.SetLeading(n > 0)
			held = n
		}
		s.poke()
		timer.Reset(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
	}
}

// renewShards is one keeper round: renew membership, work out the shards
// this member should hold from the live members, take or renew their
// leases, and drop every other shard. A store error keeps the shards as
// they are: each stays dispatched only while its last renewal is recent.
// It returns how long to wait before the next round (nextRound).
func (s *Scheduler) renewShards(ctx context.Context, m memberships, holder string, ttl time.Duration, own *ownership) time.Duration {
	cctx, cancel := context.WithTimeout(ctx, ttl/3)
	defer cancel()
	members, err := m.Members(cctx, membersGroup, holder, ttl)
	s.noteLease(err)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("sharded dispatch: renewing membership failed; keeping shards until their leases lapse", "err", err)
		}
		return ttl / 3
	}
	if len(members) > maxMembers {
		s.log.Error("sharded dispatch: too many schedulers in the member list; holding no shard", "members", len(members), "max", maxMembers)
		own.set(map[int]time.Time{})
		return ttl / 3
	}
	names := make([]string, len(members))
	for i, mb := range members {
		names[i] = mb.Name
	}
	held, taken := map[int]time.Time{}, true
	for _, k := range assignShards(s.o.Shards, names, holder) {
		start := s.o.Now()
		ok, err := s.o.Store.AcquireLease(cctx, shardLease(k), holder, ttl)
		switch {
		case err == nil && ok:
			held[k] = start
		case err != nil:
			if at, was := own.renewedAt(k); was {
				held[k] = at // not renewed: it lapses on time
			}
		default:
			taken = false // another member's lease has not lapsed yet
		}
	}
	own.set(held)
	return nextRound(ttl, members, holder, taken)
}

// nextRound is how long the keeper waits before its next round: a third of
// the ttl (a live member renews that often, so its membership always has
// more than that left); just after another member's membership lapses when
// that comes sooner, so a dead member's shards are taken within the ttl of
// its last renewal instead of up to a third of a ttl later; and a twentieth
// of the ttl while a shard this member should hold is still leased to
// another (the one leaving, whose lease lapses on its own).
func nextRound(ttl time.Duration, members []state.Member, holder string, taken bool) time.Duration {
	wait := ttl / 3
	if !taken {
		wait = ttl / 20
	}
	for _, mb := range members {
		if lapse := mb.Left + ttl/50; mb.Name != holder && lapse < wait {
			wait = lapse
		}
	}
	return max(wait, time.Millisecond)
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
