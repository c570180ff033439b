package file

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/ferryhq/ferry/state"
)

// PutConnector stores c, replacing any connector of the same name.
func (s *Store) PutConnector(ctx context.Context, c state.ConnectorRecord) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	old, had := s.connectors[c.Name]
	s.connectors[c.Name] = cloneConnector(c)
	return s.persist(func() {
		if had {
			s.connectors[c.Name] = old
		} else {
			delete(s.connectors, c.Name)
		}
	}, connectorsFile)
}

// Connector returns the named connector, or an error wrapping
// state.ErrNotFound.
func (s *Store) Connector(ctx context.Context, name string) (state.ConnectorRecord, error) {
	if err := s.begin(); err != nil {
		return state.ConnectorRecord{}, err
	}
	defer s.mu.Unlock()
	c, ok := s.connectors[name]
	if !ok {
		return state.ConnectorRecord{}, fmt.Errorf("connector %s: %w", name, state.ErrNotFound)
	}
	return cloneConnector(c), nil
}

// Connectors returns every connector, sorted by name.
func (s *Store) Connectors(ctx context.Context) ([]state.ConnectorRecord, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := make([]state.ConnectorRecord, 0, len(s.connectors))
	for _, name := range slices.Sorted(maps.Keys(s.connectors)) {
		out = append(out, cloneConnector(s.connectors[name]))
	}
	return out, nil
}

// DeleteConnector removes a connector with its task statuses. Its offsets are
// kept, as Kafka Connect keeps them, so a connector created again under the
// same name resumes; its epochs are kept too, so an invocation from before the
// delete can never share an epoch with one of the re-created connector. It
// returns an error wrapping state.ErrNotFound if no such connector exists
// (leftover statuses are removed all the same).
func (s *Store) DeleteConnector(ctx context.Context, name string) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	conn, found := s.connectors[name]
	statuses := s.statuses[name]
	delete(s.connectors, name)
	delete(s.statuses, name)
	undo := func() {
		if found {
			s.connectors[name] = conn
		}
		if statuses != nil {
			s.statuses[name] = statuses
		}
	}
	if err := s.persist(undo, connectorsFile, statusesFile); err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("connector %s: %w", name, state.ErrNotFound)
	}
	return nil
}

// PutTaskStatus stores the status of one task, replacing the previous one.
func (s *Store) PutTaskStatus(ctx context.Context, st state.TaskStatus) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if s.statuses[st.Connector] == nil {
		s.statuses[st.Connector] = map[int]state.TaskStatus{}
	}
	tasks := s.statuses[st.Connector]
	old, had := tasks[st.Task]
	tasks[st.Task] = st
	return s.persist(func() {
		if had {
			tasks[st.Task] = old
		} else {
			delete(tasks, st.Task)
		}
	}, statusesFile)
}

// TaskStatuses returns the statuses of a connector's tasks, sorted by task id.
func (s *Store) TaskStatuses(ctx context.Context, connector string) ([]state.TaskStatus, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	tasks := s.statuses[connector]
	out := make([]state.TaskStatus, 0, len(tasks))
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		out = append(out, tasks[id])
	}
	return out, nil
}

// NextEpoch hands out the task's next epoch (1 first), durably: the new
// value is on disk before it is returned, so epochs keep increasing across
// restarts.
func (s *Store) NextEpoch(ctx context.Context, connector string, task int) (int64, error) {
	if err := s.begin(); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	if s.epochs[connector] == nil {
		s.epochs[connector] = map[int]int64{}
	}
	tasks := s.epochs[connector]
	tasks[task]++
	next := tasks[task]
	if err := s.persist(func() { tasks[task]-- }, epochsFile); err != nil {
		return 0, err
	}
	return next, nil
}

// cloneConnector deep-copies c so callers never share maps with the store.
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
