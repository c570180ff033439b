package redis

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/ferryhq/ferry/state"
)

// commitScript checks the epoch and writes offsets atomically.
// KEYS[1] epoch hash, KEYS[2] offsets hash; ARGV[1] task, ARGV[2] epoch,
// then triples (op, key, value): op "s" sets key to value, "d" deletes key.
// It returns the current epoch; the write happened iff it equals ARGV[2].
var commitScript = redis.NewScript(`
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if current ~= tonumber(ARGV[2]) then
  return current
end
for i = 3, #ARGV, 3 do
  if ARGV[i] == 's' then
    redis.call('HSET', KEYS[2], ARGV[i+1], ARGV[i+2])
  else
    redis.call('HDEL', KEYS[2], ARGV[i+1])
  end
end
return current
`)

// ReadOffsets returns every committed partition of a connector with its
// offset, ordered by key bytes. Keys that are not [connector, partition]
// are skipped, as Kafka Connect skips them.
func (s *Store) ReadOffsets(ctx context.Context, connector string) ([]state.OffsetEntry, error) {
	all, err := s.client.HGetAll(ctx, s.offsetsKey(connector)).Result()
	if err != nil {
		return nil, wrap(err, "read offsets of %s", connector)
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]state.OffsetEntry, 0, len(keys))
	for _, key := range keys {
		conn, partition, ok := state.DecodeOffsetKey([]byte(key))
		if !ok || conn != connector {
			continue
		}
		offset, err := state.DecodeOffsetValue([]byte(all[key]))
		if err != nil {
			return nil, fmt.Errorf("offset of %s in redis is corrupt: %w", key, err)
		}
		out = append(out, state.OffsetEntry{Partition: partition, Offset: offset})
	}
	return out, nil
}

// CommitOffsets writes entries (a nil offset deletes its partition) iff
// epoch is the task's current epoch; otherwise it writes nothing and returns
// an error wrapping state.ErrFenced. Check and write run in one Lua script.
func (s *Store) CommitOffsets(ctx context.Context, connector string, task int, epoch int64, entries []state.OffsetEntry) error {
	args, err := commitArgs(connector, task, epoch, entries)
	if err != nil {
		return err
	}
	keys := []string{s.epochKey(connector), s.offsetsKey(connector)}
	current, err := commitScript.Run(ctx, s.client, keys, args...).Int64()
	if err != nil {
		return wrap(err, "commit offsets of task %s-%d", connector, task)
	}
	if current != epoch {
		return fenced(connector, task, epoch, current)
	}
	return nil
}

// commitArgs encodes every entry before anything is sent, so a bad entry
// leaves the store untouched.
func commitArgs(connector string, task int, epoch int64, entries []state.OffsetEntry) ([]any, error) {
	args := make([]any, 0, 2+3*len(entries))
	args = append(args, strconv.Itoa(task), strconv.FormatInt(epoch, 10))
	for i, e := range entries {
		if e.Partition == nil {
			return nil, fmt.Errorf("offset entry %d of connector %s has no partition", i, connector)
		}
		key, err := state.OffsetKey(connector, e.Partition)
		if err != nil {
			return nil, fmt.Errorf("offset entry %d of connector %s: partition: %w", i, connector, err)
		}
		value, err := state.OffsetValue(e.Offset)
		if err != nil {
			return nil, fmt.Errorf("offset entry %d of connector %s: offset: %w", i, connector, err)
		}
		if value == nil {
			args = append(args, "d", key, "")
		} else {
			args = append(args, "s", key, value)
		}
	}
	return args, nil
}
