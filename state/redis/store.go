// Package redis is the distributed state backend: every scheduler and
// function instance shares one Redis. Keys live under a prefix ("ferry:" by
// default):
//
//	<prefix>connectors         hash  name -> ConnectorRecord JSON
//	<prefix>connectors:revision  counter moved by every connector change
//	<prefix>statuses:revision    counter moved by every status change
//	<prefix>status:<conn>      hash  task id -> TaskStatus JSON
//	<prefix>epoch:<conn>       hash  task id -> current epoch (HINCRBY)
//	<prefix>offsets:<conn>     hash  OffsetKey bytes -> offset value JSON
//
// Offset commits check the epoch and write in one Lua script, so a fenced
// invocation can never write. Failures of Redis itself (network, timeouts,
// LOADING, READONLY, ...) come back as *connectors.RetriableError.
//
// The keys of one connector are not hash-tagged, so the commit script needs
// a single Redis node (or a cluster where they happen to share a slot).
package redis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/ferryhq/ferry/state"
)

// DefaultPrefix starts every key when Options.Prefix is empty.
const DefaultPrefix = "ferry:"

// Options tunes a Store.
type Options struct {
	// Prefix starts every key (DefaultPrefix when empty); tests use a unique
	// one per run, deployments may use one per ferry cluster.
	Prefix string
	// Lean leaves the optional commands out of each connection's handshake:
	// CLIENT SETINFO (the library's name and version in CLIENT LIST) and
	// CLIENT MAINT_NOTIFICATIONS (Redis Enterprise's hand-over of
	// connections during maintenance). Two round trips fewer before the
	// first command, for a Lambda function's cold start; and AUTH and SELECT
	// go in one write with HELLO (leanHandshake), one more. And Open checks
	// the connection with the read a function's first invocation makes
	// first, the signing keys, instead of a PING: the first SigningKeys call
	// is answered from it.
	Lean bool
}

// Store is a state.Store kept in Redis.
type Store struct {
	client redis.UniversalClient
	prefix string
	// owned is set when Open created the client, so Close closes it.
	owned bool
	// decoded are the connector records last read.
	decoded decodedConnectors
	// opened are the signing keys a Lean Open read, for the first
	// SigningKeys call; nil once taken (or when there were none).
	opened atomic.Pointer[state.SigningKeys]
}

var _ state.Store = (*Store)(nil)

// New returns a store using client; Close leaves the client open.
func New(client redis.UniversalClient, opts Options) *Store {
	prefix := opts.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Store{client: client, prefix: prefix}
}

// Open connects to the Redis at url (redis://[user:pass@]host:port/db or
// rediss:// for TLS) and checks it answers. Close closes the connection.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis state URL: %w", err)
	}
	if opts.Lean {
		o.DisableIdentity = true
		o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
		leanHandshake(o)
	}
	client := redis.NewClient(o)
	s := New(client, opts)
	s.owned = true
	if opts.Lean {
		keys, err := s.readSigningKeys(ctx)
		switch {
		case err == nil:
			s.opened.Store(&keys)
		case !errors.Is(err, state.ErrNotFound):
			client.Close()
			return nil, fmt.Errorf("connect to redis state store %s: %w", o.Addr, err)
		}
		return s, nil
	}
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("connect to redis state store %s: %w", o.Addr, classify(err))
	}
	return s, nil
}

// Close closes the client if Open created it.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	return s.client.Close()
}

// Prefix is the prefix of every key the store uses.
func (s *Store) Prefix() string { return s.prefix }

func (s *Store) connectorsKey() string        { return s.prefix + "connectors" }
func (s *Store) revisionKey() string          { return s.prefix + "connectors:revision" }
func (s *Store) statusRevisionKey() string    { return s.prefix + "statuses:revision" }
func (s *Store) statusKey(conn string) string { return s.prefix + "status:" + conn }
func (s *Store) epochKey(conn string) string  { return s.prefix + "epoch:" + conn }
func (s *Store) offsetsKey(conn string) string {
	return s.prefix + "offsets:" + conn
}

func taskField(task int) string { return strconv.Itoa(task) }

// classify wraps failures of Redis itself as *connectors.RetriableError and
// leaves logic errors (bad script, wrong type, ...) as they are.
func classify(err error) error {
	if err == nil || errors.Is(err, redis.Nil) {
		return err
	}
	if isRetriable(err) {
		return state.Retriable(err)
	}
	return err
}

// retriableReplies are Redis error replies that mean "not now".
var retriableReplies = []string{"LOADING", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "BUSY", "NOREPLICAS", "ERR max number of clients"}

func isRetriable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, redis.ErrClosed) {
		return false
	}
	var reply redis.Error
	if errors.As(err, &reply) {
		msg := reply.Error()
		for _, p := range retriableReplies {
			if strings.HasPrefix(msg, p) {
				return true
			}
		}
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, net.ErrClosed) ||
		strings.Contains(err.Error(), "pool timeout") || strings.Contains(err.Error(), "connection refused")
}

// wrap adds what failed to a classified error.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, classify(err))...)
}
