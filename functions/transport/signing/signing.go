// Package signing signs task invocations in the scheduler and verifies them
// in every function host (NATS worker, Lambda), with the keys of the state store.
package signing

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state"
)

// DefaultKeyTTL is how long a signing key is current before the dispatcher
// rotates it (Kafka Connect's inter.worker.key.ttl.ms default, one hour).
// Functions accept the previous key too, so a rotation never rejects an
// invocation signed just before it.
const DefaultKeyTTL = time.Hour

// KeyStore is the part of the state store a Signer uses.
type KeyStore interface {
	SigningKeys(ctx context.Context) (state.SigningKeys, error)
	RotateSigningKey(ctx context.Context, after int64, next state.SigningKey) (state.SigningKeys, error)
}

// Signer signs invocations with the current key of the state store, making
// the first key and rotating it every ttl (a compare-and-set in the store, so
// several dispatchers agree on one key).
type Signer struct {
	store KeyStore
	ttl   time.Duration
	now   func() time.Time
	mu    sync.Mutex
	keys  state.SigningKeys // cached; generation 0 before the first read
}

// NewSigner returns a signer over store rotating keys every ttl (0: DefaultKeyTTL).
func NewSigner(store KeyStore, ttl time.Duration) *Signer {
	if ttl <= 0 {
		ttl = DefaultKeyTTL
	}
	return &Signer{store: store, ttl: ttl, now: time.Now}
}

// Sign returns inv's signed payload (wire.Sign). A store that cannot be
// reached is a *connectors.RetriableError: nothing is sent unsigned.
func (s *Signer) Sign(ctx context.Context, inv wire.Invocation) ([]byte, error) {
	k, err := s.current(ctx)
	if err != nil {
		return nil, fmt.Errorf("signing invocation %s: %w", inv.ID, err)
	}
	return wire.Sign(inv, wire.Key{Generation: k.Generation, Secret: k.Secret})
}

// current returns the key to sign with, reading the store when the cached
// key is missing or due for rotation, and rotating it when it is.
func (s *Signer) current(ctx context.Context) (state.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys.Current.Generation != 0 && s.now().Sub(s.keys.Current.Created) < s.ttl {
		return s.keys.Current, nil
	}
	keys, err := s.store.SigningKeys(ctx)
	if err != nil && !errors.Is(err, state.ErrNotFound) {
		return state.SigningKey{}, err
	}
	if keys.Current.Generation == 0 || s.now().Sub(keys.Current.Created) >= s.ttl {
		secret := make([]byte, 32)
		_, _ = rand.Read(secret) // never fails (crypto/rand)
		next := state.SigningKey{Generation: keys.Current.Generation + 1, Secret: secret, Created: s.now().UTC()}
		if keys, err = s.store.RotateSigningKey(ctx, keys.Current.Generation, next); err != nil {
			return state.SigningKey{}, err
		}
	}
	s.keys = keys
	return keys.Current, nil
}

// VerifyStore is the part of the state store a Verifier uses: the signing
// keys and the tasks' current epochs.
type VerifyStore interface {
	SigningKeys(ctx context.Context) (state.SigningKeys, error)
	CheckEpoch(ctx context.Context, connector string, task int, epoch int64) error
}

// keyRefresh bounds how often a Verifier reads the keys from the store: at
// most this often, whatever the payloads claim.
const keyRefresh = time.Second

// Verifier admits an invocation only when the scheduler signed it with the
// current or the previous key and its epoch is the task's current one. Every
// host (NATS worker, Lambda entry, the bridge's NATS side) runs it before
// anything else, so a forged or replayed invocation does nothing.
type Verifier struct {
	store   VerifyStore
	now     func() time.Time
	mu      sync.Mutex
	keys    state.SigningKeys
	fetched time.Time
	// seen holds the ids of the invocations admitted here whose deadline
	// has not passed, so a replay of one while it may still run is refused.
	seen map[string]time.Time
	// sweepAt is the size of seen at which expired ids are dropped next.
	sweepAt int
}

// ErrExpired is wrapped (with state.ErrFenced) by the error for an
// invocation whose deadline has passed: a replay, or one that queued too
// long. Its task has a newer invocation coming or, with an idle task's
// reused epoch, must not run twice.
var ErrExpired = errors.New("the invocation's deadline has passed")

// ErrReplayed is wrapped (with state.ErrFenced) by the error for an
// invocation id this host has already admitted.
var ErrReplayed = errors.New("the invocation was already admitted here")

// maxSeen bounds the replay memory; past it expired ids are dropped on
// every admission, and new ids are not recorded while it is full.
const maxSeen = 100_000

// minSweep is the least size of the replay memory at which expired ids are
// dropped; past it they are dropped whenever it doubled since the last
// sweep, so it holds about twice the ids whose deadline has not passed
// (invocations of 10,000 idle tasks had kept it near 100,000 ids, 4 MB).
const minSweep = 1024

// NewVerifier returns a verifier over store.
func NewVerifier(store VerifyStore) *Verifier {
	return &Verifier{store: store, now: time.Now, seen: map[string]time.Time{}}
}

// Open verifies payload and returns its invocation. Errors wrap
// wire.ErrUnsigned or wire.ErrBadSignature (forged, altered, or another
// store's key), state.ErrFenced (an epoch older than the task's current one),
// or are a *connectors.RetriableError when the store cannot be reached.
func (v *Verifier) Open(ctx context.Context, payload []byte) (wire.Invocation, error) {
	keys, fresh, err := v.keysFor(ctx, claimedGeneration(payload), false)
	if err != nil {
		return wire.Invocation{}, err
	}
	inv, err := wire.Verify(payload, keys.secret)
	if errors.Is(err, wire.ErrBadSignature) && !fresh {
		// The store may have been reset since the keys were cached (a new
		// key under an old generation): read it once more before refusing.
		again, reread, kerr := v.keysFor(ctx, 0, true)
		if kerr != nil {
			return wire.Invocation{}, kerr
		}
		if reread {
			inv, err = wire.Verify(payload, again.secret)
		}
	}
	if err != nil {
		return inv, err
	}
	if !inv.Deadline.IsZero() && !v.now().Before(inv.Deadline) {
		return inv, fmt.Errorf("invocation %s at epoch %d, deadline %s: %w: %w", inv.ID, inv.Epoch,
			inv.Deadline.UTC().Format(time.RFC3339Nano), ErrExpired, state.ErrFenced)
	}
	if err := v.store.CheckEpoch(ctx, inv.Connector, inv.Task, inv.Epoch); err != nil {
		return inv, fmt.Errorf("invocation %s at epoch %d: %w", inv.ID, inv.Epoch, err)
	}
	if err := v.admitOnce(inv); err != nil {
		return inv, err
	}
	return inv, nil
}

// admitOnce records inv's id until its deadline and refuses an id already
// recorded: the same signed payload sent twice runs once per host. Across
// hosts, the deadline check and the epoch fence bound what a replay can do.
func (v *Verifier) admitOnce(inv wire.Invocation) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	if d, ok := v.seen[inv.ID]; ok && now.Before(d) {
		return fmt.Errorf("invocation %s at epoch %d: %w: %w", inv.ID, inv.Epoch, ErrReplayed, state.ErrFenced)
	}
	if len(v.seen) >= max(v.sweepAt, minSweep) {
		v.sweep(now)
	}
	if len(v.seen) < maxSeen && !inv.Deadline.IsZero() {
		v.seen[inv.ID] = inv.Deadline
	}
	return nil
}

// sweep keeps the ids whose deadline has not passed, in a new map: a Go
// map never gives back the room of deleted entries.
func (v *Verifier) sweep(now time.Time) {
	kept := make(map[string]time.Time, len(v.seen)/2)
	for id, d := range v.seen {
		if now.Before(d) {
			kept[id] = d
		}
	}
	v.seen, v.sweepAt = kept, min(2*len(kept), maxSeen)
}

// verifierKeys are the keys a Verifier accepts.
type verifierKeys struct{ state.SigningKeys }

// secret returns the secret of generation g when it is the current or the
// previous key.
func (k verifierKeys) secret(g int64) ([]byte, bool) {
	if g == k.Current.Generation {
		return k.Current.Secret, true
	}
	if k.Previous != nil && g == k.Previous.Generation {
		return k.Previous.Secret, true
	}
	return nil, false
}

// keysFor returns the keys to verify with and whether they were just read:
// the cached ones, read again (at most every keyRefresh) when the payload
// claims a newer generation, when the cache is older than a minute, or when
// force is set. A newer generation met within keyRefresh of the last read
// is retriable: the key was rotated just now, so the scheduler's retry passes.
func (v *Verifier) keysFor(ctx context.Context, claimed int64, force bool) (verifierKeys, bool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	newer := claimed > v.keys.Current.Generation
	if !force && !newer && v.keys.Current.Generation != 0 && v.now().Sub(v.fetched) <= time.Minute {
		return verifierKeys{v.keys}, false, nil
	}
	if v.now().Sub(v.fetched) < keyRefresh {
		if newer {
			return verifierKeys{}, false, connectors.Retriable(fmt.Errorf("invocation signed with key generation %d, newer than this function has read (%d): retry", claimed, v.keys.Current.Generation))
		}
		return verifierKeys{v.keys}, false, nil
	}
	keys, err := v.store.SigningKeys(ctx)
	switch {
	case errors.Is(err, state.ErrNotFound):
		return verifierKeys{}, false, fmt.Errorf("%w: the state store holds no signing key yet (a scheduler makes one on its first dispatch)", wire.ErrBadSignature)
	case err != nil:
		return verifierKeys{}, false, connectors.Retriable(fmt.Errorf("reading the invocation signing keys: %w", err))
	}
	v.keys, v.fetched = keys, v.now()
	return verifierKeys{keys}, true, nil
}

// claimedGeneration is the signing_key a payload names (0 when it names none
// or is not JSON; Verify reports that).
func claimedGeneration(payload []byte) int64 {
	inv, _ := Peek(payload)
	return inv.SigningKey
}

// rejected is the reply to an invocation a host refused: FENCED for a stale
// epoch, RETRYING when the store could not be asked, FAILED otherwise, with a
// trace saying what to do. Nothing of the task ran.
func rejected(inv wire.Invocation, err error) wire.Result {
	res := wire.Result{ID: inv.ID, Connector: inv.Connector, Task: inv.Task, Epoch: inv.Epoch,
		State: wire.StateFailed, Trace: "invocation rejected, nothing done: " + err.Error()}
	switch {
	case errors.Is(err, state.ErrFenced):
		res.State = wire.StateFenced
	case connectors.IsRetriable(err):
		res.State = wire.StateRetrying
	case errors.Is(err, wire.ErrUnsigned), errors.Is(err, wire.ErrBadSignature):
		res.Trace += " (only the scheduler may start tasks: the scheduler and this function must share one state store)"
	}
	return res
}

// Peek decodes payload without verifying it, for the identifiers of a
// rejection's reply and log line only.
func Peek(payload []byte) (wire.Invocation, error) {
	var inv wire.Invocation
	err := json.Unmarshal(payload, &inv)
	return inv, err
}

// verifyTimeout bounds the store calls that admit one invocation.
const verifyTimeout = 5 * time.Second

// Admit verifies payload for a host; on rejection it logs one line and
// returns the reply to send instead of running anything.
func Admit(ctx context.Context, v *Verifier, payload []byte, log *slog.Logger) (wire.Invocation, *wire.Result) {
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), verifyTimeout)
	defer cancel()
	inv, err := v.Open(vctx, payload)
	if err == nil {
		return inv, nil
	}
	claimed, _ := Peek(payload)
	res := rejected(claimed, err)
	log.Warn("invocation rejected", "id", claimed.ID, "connector", claimed.Connector, "task", claimed.Task,
		"epoch", claimed.Epoch, "state", res.State, "err", err)
	return claimed, &res
}
