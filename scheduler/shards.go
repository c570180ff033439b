package scheduler

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"github.com/ferryhq/ferry/state"
)

// Sharded dispatch. With Options.Shards > 1, several schedulers on one store
// split the connectors: a connector belongs to shard shardOf(name), each
// shard is dispatched by the scheduler holding its lease, and the members
// (schedulers that renewed their membership within the lease ttl) decide
// who should hold which shard with assignShards, a pure function every
// member computes alike. A member that dies stops renewing; its shards'
// leases expire within the ttl and the survivors, whose assignment now
// names them, take them. A scheduler stops dispatching a shard the moment it
// stops wanting it, and when it has not renewed its lease for 2/3 of the
// ttl, so two schedulers never dispatch one shard at once; epochs fence any
// invocation still in flight from before.

// maxShards and maxMembers bound the sharding settings and what a store's
// member list may hold.
const (
	maxShards  = 1024
	maxMembers = 256
)

// membersGroup is the membership group of the dispatching schedulers.
const membersGroup = "schedulers"

// memberships is a store that keeps a list of live members: Members records
// holder as alive for ttl and returns every member alive now, with the time
// each has left. A ttl of a millisecond is a member leaving.
type memberships interface {
	Members(ctx context.Context, group, holder string, ttl time.Duration) ([]state.Member, error)
}

// shardLease is the lease of shard k.
func shardLease(k int) string { return fmt.Sprintf("scheduler-shard-%d", k) }

// shardOf is the shard of a connector: FNV-1a of its name, modulo n.
func shardOf(name string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32() % uint32(n))
}

// assignShards is the shards me should hold among members, by rendezvous
// hashing: shard k goes to the member with the highest score(member, k), so
// a member joining or leaving moves only the shards it gains or loses. me
// not among members holds nothing.
func assignShards(n int, members []string, me string) []int {
	if !slices.Contains(members, me) {
		return nil
	}
	var mine []int
	for k := range n {
		best, bestScore := "", uint64(0)
		for _, m := range members {
			if s := score(m, k); best == "" || s > bestScore || s == bestScore && m < best {
				best, bestScore = m, s
			}
		}
		if best == me {
			mine = append(mine, k)
		}
	}
	return mine
}

// score is a well-mixed 64-bit hash of a member and a shard (FNV-1a, then
// SplitMix64's finalizer, which FNV alone lacks for short inputs).
func score(member string, k int) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", member, k)
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// ownership is the set of shards this scheduler holds, written by its
// keeper and read by its dispatch loop.
type ownership struct {
	n     int
	valid time.Duration // how long a renewal counts (2/3 of the ttl)
	now   func() time.Time

	mu      sync.Mutex
	renewed map[int]time.Time // shard -> when its last successful renewal began
	changed bool              // the set changed since the loop last looked
}

func newOwnership(n int, ttl time.Duration, now func() time.Time) *ownership {
	return &ownership{n: n, valid: ttl * 2 / 3, now: now, renewed: map[int]time.Time{}}
}

// owns reports whether connector's shard is held and was renewed recently.
func (o *ownership) owns(connector string) bool {
	k := shardOf(connector, o.n)
	o.mu.Lock()
	defer o.mu.Unlock()
	at, ok := o.renewed[k]
	return ok && o.now().Sub(at) < o.valid
}

// set records the shards held after a keeper round: held maps each to when
// its renewal began; any other shard is dropped.
func (o *ownership) set(held map[int]time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(held) != len(o.renewed) {
		o.changed = true
	}
	for k := range held {
		if _, ok := o.renewed[k]; !ok {
			o.changed = true
		}
	}
	o.renewed = held
}

// takeChanged reports whether the set changed since the last call.
func (o *ownership) takeChanged() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.changed
	o.changed = false
	return c
}

// count is how many shards are held now.
func (o *ownership) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.renewed)
}

// renewedAt is when shard k's last successful renewal began, if it is held.
func (o *ownership) renewedAt(k int) (time.Time, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	at, ok := o.renewed[k]
	return at, ok
}

// shards lists the shards held, in order.
func (o *ownership) shards() []int {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]int, 0, len(o.renewed))
	for k := range o.renewed {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
