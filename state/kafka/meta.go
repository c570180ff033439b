package kafka

import (
	"encoding/json"
	"errors"
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
