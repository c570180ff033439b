package kafka

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kgo"
)

// SigningKeys returns the stored keys, state.ErrNotFound before the first rotation.
func (s *Store) SigningKeys(ctx context.Context) (state.SigningKeys, error) {
	var k *state.SigningKeys
	if err := s.read(ctx, func(v *view) { k = v.meta.signing }, s.o.Topics.Ferry); err != nil {
		return state.SigningKeys{}, fmt.Errorf("read invocation signing keys: %w", err)
	}
	if k == nil {
		return state.SigningKeys{}, fmt.Errorf("invocation signing key: %w", state.ErrNotFound)
	}
	return *k, nil
}

// RotateSigningKey installs next iff the current generation is still after,
// in one transaction: the keys in the ferry topic, and the current one as
// Kafka Connect's session-key record (KIP-507) in the config topic.
func (s *Store) RotateSigningKey(ctx context.Context, after int64, next state.SigningKey) (state.SigningKeys, error) {
	var out state.SigningKeys
	topics := []string{s.o.Topics.Ferry}
	err := s.cas(ctx, s.configTxnID(), topics, func(v *view) ([]*kgo.Record, error) {
		var cur state.SigningKeys
		if v.meta.signing != nil {
			cur = *v.meta.signing
		}
		if cur.Current.Generation != after {
			out = cur
			return nil, nil
		}
		out = cur.Rotated(next)
		keys, err := json.Marshal(out)
		if err != nil {
			return nil, fmt.Errorf("encode invocation signing keys: %w", err)
		}
		session := encode(sessionKeyValue{Key: base64.StdEncoding.EncodeToString(next.Secret),
			Algorithm: "HmacSHA256", Created: next.Created.UnixMilli()})
		return []*kgo.Record{
			{Topic: s.o.Topics.Ferry, Key: []byte(signingKeysKey), Value: keys},
			{Topic: s.o.Topics.Config, Key: []byte(sessionKeyKey), Value: session},
		}, nil
	})
	if err != nil {
		return state.SigningKeys{}, fmt.Errorf("rotate invocation signing key: %w", err)
	}
	return out, nil
}
