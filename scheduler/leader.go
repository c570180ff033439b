package scheduler

import (
	"context"
	"fmt"
	"os"
	"time"
)

// leaseName is the lease the dispatching scheduler holds.
const leaseName = "scheduler"

// defaultLeaseTTL is how long a leader that stopped renewing keeps the lease.
const defaultLeaseTTL = 10 * time.Second

// Run dispatches invocations while this process leads, until ctx is done.
// Several schedulers may share one store: all serve the REST API (changes go
// to the store, which the leader re-reads every second), and the one holding
// the store's lease runs the dispatch loop. A leader that cannot renew its
// lease stops dispatching before the lease can pass to another.
// With Options.Shards above 1 it dispatches the shards this scheduler
// holds instead (runSharded).
func (s *Scheduler) Run(ctx context.Context) error {
	if s.o.Shards > 1 {
		return s.runSharded(ctx)
	}
	holder := s.holderID()
	ttl := s.leaseTTL()
	standingBy := false
	for ctx.Err() == nil {
		lead, err := s.o.Store.AcquireLease(ctx, leaseName, holder, ttl)
		s.noteLease(err)
		if err != nil || !lead {
			if !standingBy {
				s.log.Info("standing by: another scheduler leads", "err", err)
				standingBy = true
			}
			sleep(ctx, ttl/3)
			continue
		}
		standingBy = false
		s.log.Info("leading: this scheduler dispatches", "holder", holder)
		s.metrics.SetLeading(true)
		s.lead(ctx, holder, ttl)
		s.metrics.SetLeading(false)
		if ctx.Err() == nil {
			s.log.Warn("lost the scheduler lease: stopped dispatching", "holder", holder)
		}
	}
	return nil
}

// holderID names this process in leases and member lists: unique per Run.
func (s *Scheduler) holderID() string {
	return fmt.Sprintf("%s/pid-%d/%d", s.o.WorkerID, os.Getpid(), time.Now().UnixNano())
}

// lead runs the dispatch loop and renews the lease every ttl/3; it returns
// when ctx is done or the lease is lost (or not renewed for 2/3 of ttl).
func (s *Scheduler) lead(ctx context.Context, holder string, ttl time.Duration) {
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = s.runLoop(lctx, nil) }()
	defer func() { cancel(); <-done }()
	renewed := time.Now()
	tick := time.NewTicker(ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-done:
			return
		case <-tick.C:
		}
		lead, err := s.o.Store.AcquireLease(ctx, leaseName, holder, ttl)
		s.noteLease(err)
		switch {
		case err == nil && !lead:
			return
		case err == nil:
			renewed = time.Now()
		case time.Since(renewed) > ttl*2/3:
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
