package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/ferryhq/ferry/state"
)

// rotateScript installs new signing keys iff the stored generation is still
// the expected one, in one step: KEYS[1] the signing hash, ARGV[1] the
// expected generation ("0": none yet), ARGV[2] the new generation, ARGV[3]
// the new keys' JSON. It returns the keys stored afterwards.
var rotateScript = redis.NewScript(`
local gen = redis.call('HGET', KEYS[1], 'generation')
if (gen or '0') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'generation', ARGV[2], 'keys', ARGV[3])
end
return redis.call('HGET', KEYS[1], 'keys')
`)

func (s *Store) signingKey() string { return s.prefix + "signing" }

// SigningKeys returns the stored keys, state.ErrNotFound before the first
// rotation. The first call after a Lean Open returns the keys Open read.
func (s *Store) SigningKeys(ctx context.Context) (state.SigningKeys, error) {
	if k := s.opened.Swap(nil); k != nil {
		return *k, nil
	}
	return s.readSigningKeys(ctx)
}

// readSigningKeys reads the keys from Redis.
func (s *Store) readSigningKeys(ctx context.Context) (state.SigningKeys, error) {
	v, err := s.client.HGet(ctx, s.signingKey(), "keys").Result()
	if errors.Is(err, redis.Nil) {
		return state.SigningKeys{}, fmt.Errorf("invocation signing key: %w", state.ErrNotFound)
	}
	if err != nil {
		return state.SigningKeys{}, wrap(err, "read invocation signing keys")
	}
	return decodeKeys(v)
}

// RotateSigningKey installs next iff the current generation is still after.
func (s *Store) RotateSigningKey(ctx context.Context, after int64, next state.SigningKey) (state.SigningKeys, error) {
	cur, err := s.readSigningKeys(ctx) // never the keys Open read: the generation must be the stored one
	if err != nil && !errors.Is(err, state.ErrNotFound) {
		return state.SigningKeys{}, err
	}
	if cur.Current.Generation != after {
		return cur, nil
	}
	body, err := json.Marshal(cur.Rotated(next))
	if err != nil {
		return state.SigningKeys{}, fmt.Errorf("encode invocation signing keys: %w", err)
	}
	v, err := rotateScript.Run(ctx, s.client, []string{s.signingKey()},
		strconv.FormatInt(after, 10), strconv.FormatInt(next.Generation, 10), body).Text()
	if err != nil {
		return state.SigningKeys{}, wrap(err, "rotate invocation signing key")
	}
	return decodeKeys(v)
}

func decodeKeys(v string) (state.SigningKeys, error) {
	var k state.SigningKeys
	if err := json.Unmarshal([]byte(v), &k); err != nil {
		return state.SigningKeys{}, fmt.Errorf("invocation signing keys in redis are corrupt (delete the key; the scheduler makes a new one): %w", err)
	}
	return k, nil
}
