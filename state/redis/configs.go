package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/ferryhq/ferry/state"
)

// PutConnector stores c, replacing any connector of the same name.
func (s *Store) PutConnector(ctx context.Context, c state.ConnectorRecord) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode connector %s: %w", c.Name, err)
	}
	_, err = s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.connectorsKey(), c.Name, data)
		p.Incr(ctx, s.revisionKey())
		return nil
	})
	return wrap(err, "store connector %s", c.Name)
}

// StatusesRevision is a counter every PutTaskStatus and DeleteConnector
// moves, in the same transaction.
func (s *Store) StatusesRevision(ctx context.Context) (int64, error) {
	return s.counter(ctx, s.statusRevisionKey())
}

// ConnectorsRevision is a counter every PutConnector and DeleteConnector
// moves, in the same transaction: schedulers re-read every connector only
// when it moved.
func (s *Store) ConnectorsRevision(ctx context.Context) (int64, error) {
	return s.counter(ctx, s.revisionKey())
}

// counter reads a counter key (0 when missing).
func (s *Store) counter(ctx context.Context, key string) (int64, error) {
	n, err := s.client.Get(ctx, key).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, wrap(err, "read %s", key)
	}
	return n, nil
}

// Connector returns the named connector, or an error wrapping
// state.ErrNotFound. A record whose stored JSON did not change since this
// store last read it is the same record, maps shared (decodedConnectors).
func (s *Store) Connector(ctx context.Context, name string) (state.ConnectorRecord, error) {
	data, err := s.client.HGet(ctx, s.connectorsKey(), name).Bytes()
	if errors.Is(err, redis.Nil) {
		s.decoded.set(name, decodedConnector{}, false)
		return state.ConnectorRecord{}, fmt.Errorf("connector %s: %w", name, state.ErrNotFound)
	}
	if err != nil {
		return state.ConnectorRecord{}, wrap(err, "read connector %s", name)
	}
	return s.decoded.decode(name, data, nil)
}

// Connectors returns every connector, sorted by name, sharing unchanged
// records as Connector does.
func (s *Store) Connectors(ctx context.Context) ([]state.ConnectorRecord, error) {
	all, err := s.client.HGetAll(ctx, s.connectorsKey()).Result()
	if err != nil {
		return nil, wrap(err, "list connectors")
	}
	out := make([]state.ConnectorRecord, 0, len(all))
	next := make(map[string]decodedConnector, len(all))
	for name, data := range all {
		c, err := s.decoded.decode(name, []byte(data), next)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	s.decoded.replace(next)
	slices.SortFunc(out, func(a, b state.ConnectorRecord) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// DeleteConnector removes a connector with its task statuses in one
// transaction. Its offsets are kept, as Kafka Connect keeps them, so a
// connector created again under the same name resumes; its epochs are kept
// too, so an invocation from before the delete never shares an epoch with one
// of the re-created connector. It returns an error wrapping state.ErrNotFound
// if no such connector existed (leftover statuses are removed all the same).
func (s *Store) DeleteConnector(ctx context.Context, name string) error {
	var removed *redis.IntCmd
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		removed = p.HDel(ctx, s.connectorsKey(), name)
		p.Del(ctx, s.statusKey(name))
		p.Incr(ctx, s.revisionKey())
		p.Incr(ctx, s.statusRevisionKey())
		return nil
	})
	if err != nil {
		return wrap(err, "delete connector %s", name)
	}
	if removed.Val() == 0 {
		return fmt.Errorf("connector %s: %w", name, state.ErrNotFound)
	}
	return nil
}

// PutTaskStatus stores the status of one task, replacing the previous one.
func (s *Store) PutTaskStatus(ctx context.Context, st state.TaskStatus) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode status of task %s-%d: %w", st.Connector, st.Task, err)
	}
	_, err = s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.statusKey(st.Connector), taskField(st.Task), data)
		p.Incr(ctx, s.statusRevisionKey())
		return nil
	})
	return wrap(err, "store status of task %s-%d", st.Connector, st.Task)
}

// TaskStatuses returns the statuses of a connector's tasks, sorted by task id.
func (s *Store) TaskStatuses(ctx context.Context, connector string) ([]state.TaskStatus, error) {
	all, err := s.client.HGetAll(ctx, s.statusKey(connector)).Result()
	if err != nil {
		return nil, wrap(err, "list task statuses of %s", connector)
	}
	return decodeStatuses(connector, all)
}

// statusBatch bounds the connectors read in one pipeline by TaskStatusesOf.
const statusBatch = 1000

// TaskStatusesOf returns the task statuses of each named connector (sorted
// by task id), pipelined: one round trip per 1,000 connectors.
func (s *Store) TaskStatusesOf(ctx context.Context, connectors []string) (map[string][]state.TaskStatus, error) {
	out := make(map[string][]state.TaskStatus, len(connectors))
	for start := 0; start < len(connectors); start += statusBatch {
		names := connectors[start:min(start+statusBatch, len(connectors))]
		cmds := make([]*redis.MapStringStringCmd, len(names))
		_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, name := range names {
				cmds[i] = p.HGetAll(ctx, s.statusKey(name))
			}
			return nil
		})
		if err != nil {
			return nil, wrap(err, "list task statuses of %d connectors", len(names))
		}
		for i, name := range names {
			if out[name], err = decodeStatuses(name, cmds[i].Val()); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// decodeStatuses decodes a connector's status hash, sorted by task id.
func decodeStatuses(connector string, all map[string]string) ([]state.TaskStatus, error) {
	out := make([]state.TaskStatus, 0, len(all))
	for task, data := range all {
		var st state.TaskStatus
		if err := json.Unmarshal([]byte(data), &st); err != nil {
			return nil, fmt.Errorf("status of task %s-%s in redis is corrupt: %w", connector, task, err)
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b state.TaskStatus) int { return a.Task - b.Task })
	return out, nil
}

// NextEpoch hands out the task's next epoch (1 first) with HINCRBY, so it is
// unique across every process sharing the Redis.
func (s *Store) NextEpoch(ctx context.Context, connector string, task int) (int64, error) {
	e, err := s.client.HIncrBy(ctx, s.epochKey(connector), taskField(task), 1).Result()
	if err != nil {
		return 0, wrap(err, "take next epoch of task %s-%d", connector, task)
	}
	return e, nil
}

// CheckEpoch returns an error wrapping state.ErrFenced unless epoch is the
// task's current epoch.
func (s *Store) CheckEpoch(ctx context.Context, connector string, task int, epoch int64) error {
	v, err := s.client.HGet(ctx, s.epochKey(connector), taskField(task)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return wrap(err, "check epoch of task %s-%d", connector, task)
	}
	current := int64(0)
	if v != "" {
		if current, err = strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Errorf("epoch of task %s-%d in redis is corrupt: %w", connector, task, err)
		}
	}
	if current != epoch {
		return fenced(connector, task, epoch, current)
	}
	return nil
}

// fenced reports a stale epoch.
func fenced(connector string, task int, epoch, current int64) error {
	return fmt.Errorf("task %s-%d: epoch %d is not the current epoch %d: %w",
		connector, task, epoch, current, state.ErrFenced)
}
