package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ferryhq/ferry/state"
)

// leaseScript takes the lease if it is free or renews it for its holder, in
// one step: KEYS[1] the lease key, ARGV[1] the holder, ARGV[2] the ttl in ms.
var leaseScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`)

// AcquireLease takes or renews the named lease for holder; it expires ttl
// after the last renewal, so a dead leader is replaced within ttl.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	n, err := leaseScript.Run(ctx, s.client, []string{s.prefix + "lease:" + name}, holder, ttl.Milliseconds()).Int()
	if err != nil {
		return false, wrap(err, "lease %s", name)
	}
	return n == 1, nil
}

// membersScript keeps a group's members in a sorted set scored by when each
// expires (the server's clock, so members' clocks do not matter): it drops
// the expired, records ARGV[1] until now + ARGV[2] ms (a ttl of 1 ms or less
// removes it: it leaves), and returns the live members, each followed by the
// milliseconds left until it expires, at most ARGV[3]+1 of them, so a caller
// can tell a list longer than ARGV[3] and refuse it.
var membersScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if tonumber(ARGV[2]) <= 1 then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[2]) * 4, 60000))
local z = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[3]), 'WITHSCORES')
local out = {}
for i = 1, #z, 2 do
  out[#out + 1] = z[i]
  out[#out + 1] = tonumber(z[i + 1]) - now
end
return out
`)

// maxMembers bounds a member list read back; the scheduler refuses more.
const maxMembers = 1024

// Members records holder as a live member of group for ttl and returns the
// live members, in no particular order, each with the time left before it
// expires. Schedulers sharing a store use it to split the connectors'
// shards among themselves; a ttl of a millisecond leaves.
func (s *Store) Members(ctx context.Context, group, holder string, ttl time.Duration) ([]state.Member, error) {
	out, err := membersScript.Run(ctx, s.client, []string{s.prefix + "members:" + group}, holder, max(ttl.Milliseconds(), 1), maxMembers).Slice()
	if err != nil {
		return nil, wrap(err, "members of %s", group)
	}
	return parseMembers(out)
}

// parseMembers reads membersScript's reply: name, milliseconds left, ...
func parseMembers(reply []any) ([]state.Member, error) {
	if len(reply)%2 != 0 {
		return nil, fmt.Errorf("members of a group in redis: a reply of %d items, want name and milliseconds pairs", len(reply))
	}
	members := make([]state.Member, 0, len(reply)/2)
	for i := 0; i < len(reply); i += 2 {
		name, ok := reply[i].(string)
		left, ok2 := reply[i+1].(int64)
		if !ok || !ok2 {
			return nil, fmt.Errorf("members of a group in redis: item %d is %T, %T, want a name and milliseconds", i/2, reply[i], reply[i+1])
		}
		members = append(members, state.Member{Name: name, Left: time.Duration(left) * time.Millisecond})
	}
	return members, nil
}
