package kafka

import (
	"context"
	"fmt"
	"slices"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kgo"
)

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
