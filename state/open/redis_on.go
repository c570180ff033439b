//go:build !ferry_noredis

package open

import (
	"context"

	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/redis"
)

// openRedis opens the Redis state store at url. Builds with the
// ferry_noredis tag leave it out (redis_off.go): go-redis is the largest
// client a Lambda function links, and a function whose offsets live in
// Kafka never needs it. lean leaves the handshake's optional commands out
// (redis.Options.Lean).
func openRedis(ctx context.Context, url string, lean bool) (state.Store, error) {
	return redis.Open(ctx, url, redis.Options{Lean: lean})
}
