// Package open picks a state backend from a spec string, so commands take
// one --state flag: "file:DIR" for the standalone directory store,
// "redis://host:port/db" or "rediss://..." for Redis. It lives apart from
// package state because the backends import state.
package open

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/file"
	"github.com/ferryhq/ferry/state/redis"
)

// ErrUnknownSpec is returned for a spec no backend accepts.
var ErrUnknownSpec = errors.New(`unknown state store: use "file:DIR", "redis://host:port/db" or "rediss://host:port/db"`)

// Open opens the store named by spec: "file:DIR" (DIR created if missing),
// "redis://..." or "rediss://..." (Redis URL, keys under redis.DefaultPrefix).
func Open(ctx context.Context, spec string) (state.Store, error) {
	switch {
	case strings.HasPrefix(spec, "file:"):
		dir := strings.TrimPrefix(spec, "file:")
		if dir == "" {
			return nil, fmt.Errorf("state store %q names no directory: %w", spec, ErrUnknownSpec)
		}
		s, err := file.Open(dir)
		if err != nil {
			return nil, fmt.Errorf("open state store %q: %w", spec, err)
		}
		return s, nil
	case strings.HasPrefix(spec, "redis://"), strings.HasPrefix(spec, "rediss://"):
		s, err := redis.Open(ctx, spec, redis.Options{})
		if err != nil {
			return nil, fmt.Errorf("open state store %q: %w", redact(spec), err)
		}
		return s, nil
	default:
		return nil, fmt.Errorf("state store %q: %w", redact(spec), ErrUnknownSpec)
	}
}

// redact hides a password in a URL-like spec so errors can be logged.
func redact(spec string) string {
	scheme, rest, ok := strings.Cut(spec, "://")
	if !ok {
		return spec
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return spec
	}
	if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return spec
}
