package kafka

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The ferry topic (ferry.storage.topic) holds what Kafka Connect has no
// record for; Kafka Connect never reads it. Keys (values are JSON):
//
//	epoch-<connector>-<task>  {"epoch":n}          the task's current epoch
//	generation-<connector>    {"generation":n}     ferry's task-config generation; null on delete
//	signing-keys              state.SigningKeys    the invocation signing keys
const (
	epochPrefix      = "epoch-"
	generationPrefix = "generation-"
	signingKeysKey   = "signing-keys"
)

var errMalformed = errors.New("malformed key or value")

// orMissing is err, or a complaint that field is missing.
func orMissing(err error, field string) error {
	if err != nil {
		return err
	}
	return errors.New("no " + field + " field")
}

type taskID struct {
	conn string
	task int
}

// meta is the view of the ferry topic.
type meta struct {
	epochs      map[taskID]int64
	generations map[string]int64
	signing     *state.SigningKeys
}

func newMeta() meta {
	return meta{epochs: map[taskID]int64{}, generations: map[string]int64{}}
}

type epochValue struct {
	Epoch int64 `json:"epoch"`
}

type generationValue struct {
	Generation int64 `json:"generation"`
}

func epochKey(conn string, task int) string { return epochPrefix + taskIDString(conn, task) }
func generationKey(conn string) string      { return generationPrefix + conn }

func taskIDString(conn string, task int) string {
	return strings.TrimPrefix(taskKey(conn, task), taskPrefix)
}

// apply replays one ferry topic record; it reports whether a connector
// changed (its generation).
func (m *meta) apply(r *kgo.Record, log *slog.Logger) bool {
	key := string(r.Key)
	var err error
	changed := false
	switch {
	case strings.HasPrefix(key, epochPrefix):
		name, task, ok := splitTaskID(key[len(epochPrefix):])
		var ev epochValue
		if err = json.Unmarshal(r.Value, &ev); ok && err == nil {
			m.epochs[taskID{name, task}] = ev.Epoch
		} else if !ok {
			err = errMalformed
		}
	case strings.HasPrefix(key, generationPrefix):
		name := key[len(generationPrefix):]
		changed = true
		if r.Value == nil {
			delete(m.generations, name)
			break
		}
		var gv generationValue
		if err = json.Unmarshal(r.Value, &gv); err == nil {
			m.generations[name] = gv.Generation
		}
	case key == signingKeysKey:
		var k state.SigningKeys
		if err = json.Unmarshal(r.Value, &k); err == nil {
			m.signing = &k
		}
	}
	if err != nil {
		log.Error("skipping a record the state store cannot parse", "topic", r.Topic, "partition", r.Partition,
			"offset", r.Offset, "key", key, "err", err)
	}
	return changed
}

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
