package redis

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
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
