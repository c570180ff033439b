package file

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/ferryhq/ferry/state"
)

// PutConnector stores c, replacing any connector of the same name.
func (s *Store) PutConnector(ctx context.Context, c state.ConnectorRecord) (err error) {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.done(&err)
	old, had := s.connectors[c.Name]
	s.connectors[c.Name] = cloneConnector(c)
	s.revision++
	return s.record(func() {
		if had {
			s.connectors[c.Name] = old
		} else {
			delete(s.connectors, c.Name)
		}
	}, connectorsFile, change{Name: c.Name}, c)
}

// Connector returns the named connector, or an error wrapping
// state.ErrNotFound. The record shares its maps with the store (read-only,
// see state.Configs): PutConnector stores a copy and never changes it.
func (s *Store) Connector(ctx context.Context, name string) (state.ConnectorRecord, error) {
	if err := s.begin(); err != nil {
		return state.ConnectorRecord{}, err
	}
	defer s.mu.Unlock()
	c, ok := s.connectors[name]
	if !ok {
		return state.ConnectorRecord{}, fmt.Errorf("connector %s: %w", name, state.ErrNotFound)
	}
	return c, nil
}

// Connectors returns every connector, sorted by name, sharing their maps
// with the store as Connector does.
func (s *Store) Connectors(ctx context.Context) ([]state.ConnectorRecord, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := make([]state.ConnectorRecord, 0, len(s.connectors))
	for _, name := range slices.Sorted(maps.Keys(s.connectors)) {
		out = append(out, s.connectors[name])
	}
	return out, nil
}

// ConnectorsRevision counts the changes to connectors since Open: the
// scheduler re-reads every connector only when it moved.
func (s *Store) ConnectorsRevision(ctx context.Context) (int64, error) {
	if err := s.begin(); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	return s.revision, nil
}

// StatusesRevision counts the changes to task statuses since Open: the
// scheduler renders GET /connectors?expand=status again only when it moved.
func (s *Store) StatusesRevision(ctx context.Context) (int64, error) {
	if err := s.begin(); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	return s.statusRevision, nil
}

// DeleteConnector removes a connector with its task statuses. Its offsets are
// kept, as Kafka Connect keeps them, so a connector created again under the
// same name resumes; its epochs are kept too, so an invocation from before the
// delete can never share an epoch with one of the re-created connector. It
// returns an error wrapping state.ErrNotFound if no such connector exists
// (leftover statuses are removed all the same).
func (s *Store) DeleteConnector(ctx context.Context, name string) (err error) {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.done(&err)
	conn, found := s.connectors[name]
	statuses := s.statuses[name]
	if found {
		delete(s.connectors, name)
		s.revision++
		if err := s.record(func() { s.connectors[name] = conn }, connectorsFile, change{Name: name}, nil); err != nil {
			return err
		}
	}
	if statuses != nil {
		delete(s.statuses, name)
		s.statusRevision++
		if err := s.record(func() { s.statuses[name] = statuses }, statusesFile, change{Name: name}, nil); err != nil {
			return err
		}
	}
	if !found {
		return fmt.Errorf("connector %s: %w", name, state.ErrNotFound)
	}
	return nil
}

// PutTaskStatus stores the status of one task, replacing the previous one.
// Statuses reach the disk with the next durable change or at Close, not at
// once: a status lost in a crash is reported again by the next invocation.
func (s *Store) PutTaskStatus(ctx context.Context, st state.TaskStatus) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	tasks, old, had := s.statuses[st.Connector].put(st)
	s.statuses[st.Connector] = tasks
	s.statusRevision++
	return s.record(func() {
		if had {
			s.statuses[st.Connector], _, _ = s.statuses[st.Connector].put(old)
		} else {
			s.statuses[st.Connector] = s.statuses[st.Connector].remove(st.Task)
		}
	}, statusesFile, change{Name: st.Connector, Task: &st.Task}, st)
}

// TaskStatuses returns the statuses of a connector's tasks, sorted by task id.
func (s *Store) TaskStatuses(ctx context.Context, connector string) ([]state.TaskStatus, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	return s.taskStatuses(connector), nil
}

// TaskStatusesOf returns the task statuses of each named connector (sorted
// by task id) under one lock: a snapshot of them all.
func (s *Store) TaskStatusesOf(ctx context.Context, connectors []string) (map[string][]state.TaskStatus, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := make(map[string][]state.TaskStatus, len(connectors))
	for _, name := range connectors {
		out[name] = s.taskStatuses(name)
	}
	return out, nil
}

func (s *Store) taskStatuses(connector string) []state.TaskStatus {
	return append(make([]state.TaskStatus, 0, len(s.statuses[connector])), s.statuses[connector]...)
}

// NextEpoch hands out the task's next epoch (1 first), durably: the new
// value is on disk before it is returned, so epochs keep increasing across
// restarts.
func (s *Store) NextEpoch(ctx context.Context, connector string, task int) (_ int64, err error) {
	if err := s.begin(); err != nil {
		return 0, err
	}
	defer s.done(&err)
	if s.epochs[connector] == nil {
		s.epochs[connector] = map[int]int64{}
	}
	tasks := s.epochs[connector]
	tasks[task]++
	next := tasks[task]
	if err := s.record(func() { tasks[task]-- }, epochsFile, change{Name: connector, Task: &task}, next); err != nil {
		return 0, err
	}
	return next, nil
}

// cloneConnector deep-copies c: the store keeps a copy no caller holds, so
// the maps it hands out are never changed under a reader.
func cloneConnector(c state.ConnectorRecord) state.ConnectorRecord {
	c.Config = maps.Clone(c.Config)
	if c.Tasks != nil {
		tasks := make([]map[string]string, len(c.Tasks))
		for i, t := range c.Tasks {
			tasks[i] = maps.Clone(t)
		}
		c.Tasks = tasks
	}
	return c
}

// fenced reports a stale epoch.
func fenced(connector string, task int, epoch, current int64) error {
	return fmt.Errorf("task %s-%d: epoch %d is not the current epoch %d: %w",
		connector, task, epoch, current, state.ErrFenced)
}
