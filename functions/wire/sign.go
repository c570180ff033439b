package wire

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// Algorithm is the MAC invocations are signed with, as Kafka Connect's
// internal request signing (KIP-507) names it.
const Algorithm = "HmacSHA256"

// ErrUnsigned is wrapped when an invocation carries no signature: only the
// scheduler may start tasks, and it signs every invocation.
var ErrUnsigned = errors.New("invocation is not signed")

// ErrBadSignature is wrapped when an invocation's signature does not verify
// with the named key: it was forged or altered, or the scheduler and this
// function do not share one state store.
var ErrBadSignature = errors.New("invocation signature does not verify")

// Key is one generation of the signing key.
type Key struct {
	Generation int64
	Secret     []byte
}

// Sign encodes inv as JSON signed with k: the payload is inv's JSON with
// signing_key set and, as its last field, signature — the base64 HMAC-SHA256
// of the payload up to that field, closed with "}". Verify recomputes it
// over the received bytes, so nothing is canonicalised and a field a newer
// scheduler adds is covered too.
func Sign(inv Invocation, k Key) ([]byte, error) {
	if k.Generation <= 0 || len(k.Secret) == 0 {
		return nil, fmt.Errorf("signing invocation %s: no signing key (generation %d)", inv.ID, k.Generation)
	}
	inv.SigningKey, inv.Signature = k.Generation, ""
	body, err := json.Marshal(inv)
	if err != nil {
		return nil, fmt.Errorf("encoding invocation %s: %w", inv.ID, err)
	}
	sig := mac(body, k.Secret)
	out := make([]byte, 0, len(body)+len(sig)+16)
	out = append(out, body[:len(body)-1]...)
	out = append(out, `,"signature":"`...)
	out = append(out, sig...)
	return append(out, `"}`...), nil
}

// Verify checks payload's signature with the secret secretOf returns for its
// key generation (false: unknown generation) and returns the invocation
// decoded from the signed bytes only. Errors wrap ErrUnsigned or
// ErrBadSignature, or say the payload is not an invocation.
func Verify(payload []byte, secretOf func(generation int64) ([]byte, bool)) (Invocation, error) {
	var claimed struct {
		SigningKey int64  `json:"signing_key"`
		Signature  string `json:"signature"`
	}
	if err := json.Unmarshal(payload, &claimed); err != nil {
		return Invocation{}, fmt.Errorf("malformed invocation payload: %w", err)
	}
	if claimed.Signature == "" {
		return Invocation{}, ErrUnsigned
	}
	suffix := `,"signature":"` + claimed.Signature + `"}`
	if !bytes.HasSuffix(payload, []byte(suffix)) {
		return Invocation{}, fmt.Errorf("%w: the signature is not the payload's last field", ErrBadSignature)
	}
	secret, ok := secretOf(claimed.SigningKey)
	if !ok {
		return Invocation{}, fmt.Errorf("%w: signing key generation %d is neither the current nor the previous one", ErrBadSignature, claimed.SigningKey)
	}
	signed := append(bytes.Clone(payload[:len(payload)-len(suffix)]), '}')
	if !hmac.Equal([]byte(mac(signed, secret)), []byte(claimed.Signature)) {
		return Invocation{}, fmt.Errorf("%w with key generation %d", ErrBadSignature, claimed.SigningKey)
	}
	var inv Invocation
	if err := json.Unmarshal(signed, &inv); err != nil {
		return Invocation{}, fmt.Errorf("malformed invocation payload: %w", err)
	}
	inv.SigningKey, inv.Signature = claimed.SigningKey, claimed.Signature
	return inv, nil
}

func mac(body, secret []byte) string {
	h := hmac.New(sha256.New, secret)
	h.Write(body)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}
