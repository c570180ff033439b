package state

import (
	"context"
	"time"
)

// SigningKey is one generation of the key the scheduler signs invocations
// with (Kafka Connect's session key, KIP-507): an HMAC-SHA256 secret that
// functions use to check an invocation came from the scheduler.
type SigningKey struct {
	Generation int64     `json:"generation"`
	Secret     []byte    `json:"secret"`
	Created    time.Time `json:"created"`
}

// SigningKeys are the current key and, after the first rotation, the one it
// replaced: functions accept both, so invocations signed just before a
// rotation still run.
type SigningKeys struct {
	Current  SigningKey  `json:"current"`
	Previous *SigningKey `json:"previous,omitempty"`
}

// Signing keeps the invocation signing keys.
type Signing interface {
	// SigningKeys returns the stored keys; ErrNotFound before the first rotation.
	SigningKeys(ctx context.Context) (SigningKeys, error)
	// RotateSigningKey makes next the current key and the current key the
	// previous one, iff the current key's generation is still after (0: no
	// key yet); otherwise it changes nothing. It is a compare-and-set, so
	// schedulers racing to rotate install one key; either way it returns the
	// keys stored afterwards.
	RotateSigningKey(ctx context.Context, after int64, next SigningKey) (SigningKeys, error)
}

// Rotated returns the keys after installing next over k (k.Current.Generation
// 0 meaning no key yet): next becomes current and a real current becomes
// previous. Backends use it inside their compare-and-set.
func (k SigningKeys) Rotated(next SigningKey) SigningKeys {
	out := SigningKeys{Current: next}
	if k.Current.Generation != 0 {
		prev := k.Current
		out.Previous = &prev
	}
	return out
}
