//go:build ferry_noredis

package open

import (
	"context"
	"errors"

	"github.com/ferryhq/ferry/state"
)

// ErrNoRedis is returned for a redis:// state store by builds with the
// ferry_noredis tag.
var ErrNoRedis = errors.New("this build leaves the Redis state store out (-tags ferry_noredis): use a kafka or file: state store, or rebuild without WITHOUT=redis")

// openRedis fails: the build has no Redis state store.
func openRedis(context.Context, string, bool) (state.Store, error) { return nil, ErrNoRedis }
