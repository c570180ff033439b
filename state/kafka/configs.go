package kafka

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kgo"
)

// PutConnector stores c in one transaction, writing only what changed, in
// the records Kafka Connect writes for the same change: connector-<name> for
// the config, task-<name>-<n> and commit-<name> for new task configs,
// target-state-<name> for a new target (a new RUNNING connector gets none,
// as in Kafka Connect); ferry's generation goes to the ferry topic.
func (s *Store) PutConnector(ctx context.Context, c state.ConnectorRecord) error {
	topics := []string{s.o.Topics.Config, s.o.Topics.Ferry}
	err := s.cas(ctx, s.configTxnID(), topics, func(v *view) ([]*kgo.Record, error) {
		return s.connectorRecords(v, c), nil
	})
	if err != nil {
		return fmt.Errorf("store connector %s: %w", c.Name, err)
	}
	return nil
}

// connectorRecords are the records that turn the stored connector into c.
func (s *Store) connectorRecords(v *view, c state.ConnectorRecord) []*kgo.Record {
	cfgTopic := s.o.Topics.Config
	rec := func(key string, value []byte) *kgo.Record {
		return &kgo.Record{Topic: cfgTopic, Key: []byte(key), Value: value}
	}
	old, exists := v.connector(c.Name)
	var out []*kgo.Record
	target := rec(targetStateKey(c.Name), targetValue(c.Target))
	if !exists && c.Target != state.TargetRunning {
		out = append(out, target) // Kafka Connect writes an initial state before the config
	}
	if !exists || !maps.Equal(old.Config, c.Config) {
		out = append(out, rec(connectorKey(c.Name), connectorValue(c.Config)))
	}
	_, committed := v.commits[c.Name]
	if !slices.EqualFunc(old.Tasks, c.Tasks, maps.Equal) || (!committed && c.Generation > 0) {
		for i, t := range c.Tasks {
			out = append(out, rec(taskKey(c.Name, i), connectorValue(t)))
		}
		out = append(out, rec(commitKey(c.Name), encode(commitValue{len(c.Tasks)})))
	}
	if exists && old.Target != c.Target {
		out = append(out, target)
	}
	if g, ok := v.meta.generations[c.Name]; (ok && g != c.Generation) || (!ok && c.Generation != 0) {
		out = append(out, &kgo.Record{Topic: s.o.Topics.Ferry, Key: []byte(generationKey(c.Name)),
			Value: encode(generationValue{c.Generation})})
	}
	return out
}

// Connector returns the named connector, or an error wrapping state.ErrNotFound.
func (s *Store) Connector(ctx context.Context, name string) (state.ConnectorRecord, error) {
	var rec state.ConnectorRecord
	var ok bool
	err := s.read(ctx, func(v *view) { rec, ok = v.connector(name) }, s.o.Topics.Config, s.o.Topics.Ferry)
	if err != nil {
		return rec, fmt.Errorf("read connector %s: %w", name, err)
	}
	if !ok {
		return rec, fmt.Errorf("connector %s: %w", name, state.ErrNotFound)
	}
	return rec, nil
}

// Connectors returns every connector, sorted by name.
func (s *Store) Connectors(ctx context.Context) ([]state.ConnectorRecord, error) {
	var out []state.ConnectorRecord
	err := s.read(ctx, func(v *view) {
		out = make([]state.ConnectorRecord, 0, len(v.configs))
		for name := range v.configs {
			rec, _ := v.connector(name)
			out = append(out, rec)
		}
	}, s.o.Topics.Config, s.o.Topics.Ferry)
	if err != nil {
		return nil, fmt.Errorf("list connectors: %w", err)
	}
	slices.SortFunc(out, func(a, b state.ConnectorRecord) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// DeleteConnector writes Kafka Connect's tombstones for connector-<name> and
// target-state-<name>, removes ferry's generation and the task statuses, in
// one transaction. Offsets and epochs are kept (a connector re-created under
// the name resumes, and never shares an epoch with a zombie of the old one).
// It returns an error wrapping state.ErrNotFound if no such connector existed
// (leftover statuses are removed all the same).
func (s *Store) DeleteConnector(ctx context.Context, name string) error {
	exists := false
	topics := []string{s.o.Topics.Config, s.o.Topics.Ferry, s.o.Topics.Status}
	err := s.cas(ctx, s.configTxnID(), topics, func(v *view) ([]*kgo.Record, error) {
		_, exists = v.configs[name]
		return s.deleteRecords(v, name), nil
	})
	if err != nil {
		return fmt.Errorf("delete connector %s: %w", name, err)
	}
	if !exists {
		return fmt.Errorf("connector %s: %w", name, state.ErrNotFound)
	}
	return nil
}

// deleteRecords are the tombstones that delete connector name: Kafka
// Connect's two, ferry's generation and the task statuses.
func (s *Store) deleteRecords(v *view, name string) []*kgo.Record {
	var out []*kgo.Record
	if _, ok := v.configs[name]; ok {
		out = append(out,
			&kgo.Record{Topic: s.o.Topics.Config, Key: []byte(connectorKey(name))},
			&kgo.Record{Topic: s.o.Topics.Config, Key: []byte(targetStateKey(name))},
			&kgo.Record{Topic: s.o.Topics.Ferry, Key: []byte(generationKey(name))})
	}
	for task := range v.statuses[name] {
		out = append(out, &kgo.Record{Topic: s.o.Topics.Status, Key: []byte(statusTaskKey(name, task))})
	}
	return out
}

// ConnectorsRevision moves with every record of the config topic and every
// generation record ferry writes: schedulers re-read every connector only
// when it moved. It counts records this process applied, so it is only
// comparable with earlier answers of the same Store.
func (s *Store) ConnectorsRevision(ctx context.Context) (int64, error) {
	var rev int64
	err := s.read(ctx, func(v *view) { rev = v.connRev }, s.o.Topics.Config, s.o.Topics.Ferry)
	return rev, err
}

// StatusesRevision moves with every task status record.
func (s *Store) StatusesRevision(ctx context.Context) (int64, error) {
	var rev int64
	err := s.read(ctx, func(v *view) { rev = v.statusRev }, s.o.Topics.Status)
	return rev, err
}

// PutTaskStatus writes status-task-<connector>-<task> in Kafka Connect's
// format: the epoch is its generation, the update time the record's timestamp.
func (s *Store) PutTaskStatus(ctx context.Context, st state.TaskStatus) error {
	r := &kgo.Record{Topic: s.o.Topics.Status, Key: []byte(statusTaskKey(st.Connector, st.Task)),
		Value: taskStatusValue(st), Timestamp: st.Updated}
	if err := s.plain.ProduceSync(ctx, r).FirstErr(); err != nil {
		return retriable("store status of task %s-%d: %w", st.Connector, st.Task, err)
	}
	return nil
}

// TaskStatuses returns the statuses of a connector's tasks, sorted by task id.
func (s *Store) TaskStatuses(ctx context.Context, connector string) ([]state.TaskStatus, error) {
	out, err := s.TaskStatusesOf(ctx, []string{connector})
	return out[connector], err
}

// TaskStatusesOf returns the task statuses of each named connector, sorted
// by task id, after one catch-up.
func (s *Store) TaskStatusesOf(ctx context.Context, connectors []string) (map[string][]state.TaskStatus, error) {
	out := make(map[string][]state.TaskStatus, len(connectors))
	err := s.read(ctx, func(v *view) {
		for _, name := range connectors {
			list := make([]state.TaskStatus, 0, len(v.statuses[name]))
			for _, st := range v.statuses[name] {
				list = append(list, st)
			}
			slices.SortFunc(list, func(a, b state.TaskStatus) int { return a.Task - b.Task })
			out[name] = list
		}
	}, s.o.Topics.Status)
	if err != nil {
		return nil, fmt.Errorf("list task statuses: %w", err)
	}
	return out, nil
}
