package scheduler

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/ferryhq/ferry/state"
)

// status builds a connector's ConnectorStateInfo from its record, the split
// outcome and the task statuses the dispatch loop stored.
func (s *Scheduler) status(ctx context.Context, rec state.ConnectorRecord) (connectorStateInfo, error) {
	stored, err := s.o.Store.TaskStatuses(ctx, rec.Name)
	if err != nil {
		return connectorStateInfo{}, fmt.Errorf("reading task statuses of %s: %w", rec.Name, err)
	}
	return s.statusOf(rec, stored), nil
}

// statusBatch is a store that reads the task statuses of many connectors in
// one call (one lock, one round trip), for GET /connectors?expand=status.
type statusBatch interface {
	TaskStatusesOf(ctx context.Context, connectors []string) (map[string][]state.TaskStatus, error)
}

// statuses reads the task statuses of every connector in recs, in one call
// when the store can.
func (s *Scheduler) statuses(ctx context.Context, recs []state.ConnectorRecord) (map[string][]state.TaskStatus, error) {
	names := make([]string, len(recs))
	for i, rec := range recs {
		names[i] = rec.Name
	}
	if b, ok := s.o.Store.(statusBatch); ok {
		out, err := b.TaskStatusesOf(ctx, names)
		if err != nil {
			return nil, fmt.Errorf("reading task statuses: %w", err)
		}
		return out, nil
	}
	out := make(map[string][]state.TaskStatus, len(names))
	for _, name := range names {
		st, err := s.o.Store.TaskStatuses(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("reading task statuses of %s: %w", name, err)
		}
		out[name] = st
	}
	return out, nil
}

// statusOf builds rec's ConnectorStateInfo from its stored task statuses.
func (s *Scheduler) statusOf(rec state.ConnectorRecord, stored []state.TaskStatus) connectorStateInfo {
	byID := make(map[int]state.TaskStatus, len(stored))
	for _, st := range stored {
		byID[st.Task] = st
	}
	out := connectorStateInfo{Name: rec.Name, Tasks: []taskState{}, Type: s.connectorType(rec.Config),
		Connector: connectorState{State: string(targetState(rec.Target)), WorkerID: s.o.WorkerID, Version: s.pluginVersion(rec.Config)}}
	if trace, failed := s.connectorFailure(rec.Name); failed {
		out.Connector.State, out.Connector.Trace = string(state.StateFailed), trace
	}
	if rec.Target == state.TargetStopped {
		return out
	}
	for i := range rec.Tasks {
		t := s.taskState(rec, i, byID)
		t.Version = out.Connector.Version
		out.Tasks = append(out.Tasks, t)
	}
	return out
}

// pluginVersion is the version shown for a connector's plugin: its own, else ferry's.
func (s *Scheduler) pluginVersion(config map[string]string) string {
	if p, err := s.o.Catalogue.Connectors().Lookup(config["connector.class"]); err == nil && p.Version != "" && p.Version != "undefined" {
		return p.Version
	}
	return s.o.Version
}

// targetState is the runtime state a healthy connector with this target shows.
func targetState(t state.TargetState) state.State {
	switch t {
	case state.TargetPaused:
		return state.StatePaused
	case state.TargetStopped:
		return state.StateStopped
	}
	return state.StateRunning
}

// taskState is one task's status: UNASSIGNED until its first result, PAUSED
// while the connector is paused (a task that failed for good stays FAILED, as
// in Kafka Connect).
func (s *Scheduler) taskState(rec state.ConnectorRecord, id int, byID map[int]state.TaskStatus) taskState {
	t := taskState{ID: id, State: string(state.StateUnassigned), WorkerID: s.o.WorkerID}
	st, ok := byID[id]
	if ok {
		t.State, t.Trace = string(st.State), st.Trace
		if st.WorkerID != "" {
			t.WorkerID = st.WorkerID
		}
	}
	failedForGood := ok && st.State == state.StateFailed && !strings.Contains(st.Trace, retryNote)
	if rec.Target == state.TargetPaused && !failedForGood {
		t.State, t.Trace = string(state.StatePaused), ""
	}
	return t
}

func (s *Scheduler) getStatus(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	rec, err := s.lookup(r.Context(), name, "No status found for connector "+name)
	if err != nil {
		return 0, nil, err
	}
	st, err := s.status(r.Context(), rec)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, st, nil
}

func (s *Scheduler) getTaskStatus(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	id, err := taskID(r)
	if err != nil {
		return 0, nil, err
	}
	msg := fmt.Sprintf("No status found for task %s-%d", name, id)
	rec, err := s.lookup(r.Context(), name, msg)
	if err != nil {
		return 0, nil, err
	}
	st, err := s.status(r.Context(), rec)
	if err != nil {
		return 0, nil, err
	}
	for _, t := range st.Tasks {
		if t.ID == id {
			return http.StatusOK, t, nil
		}
	}
	return 0, nil, notFound("%s", msg)
}

// pause and resume set the target state; both are idempotent and answer 202.
func (s *Scheduler) pause(w http.ResponseWriter, r *http.Request) (int, any, error) {
	return s.setTarget(r, state.TargetPaused)
}

func (s *Scheduler) resume(w http.ResponseWriter, r *http.Request) (int, any, error) {
	return s.setTarget(r, state.TargetRunning)
}

func (s *Scheduler) setTarget(r *http.Request, target state.TargetState) (int, any, error) {
	name := r.PathValue("name")
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	rec, err := s.lookup(r.Context(), name, "Unknown connector "+name)
	if err != nil {
		return 0, nil, err
	}
	if rec.Target == target && rec.Generation > 0 {
		return http.StatusAccepted, nil, nil
	}
	wasStopped := rec.Target == state.TargetStopped
	rec.Target = target
	if wasStopped || rec.Generation == 0 { // starting a stopped connector splits its work afresh
		s.resplitStored(r.Context(), &rec)
	}
	if err := s.o.Store.PutConnector(r.Context(), rec); err != nil {
		return 0, nil, fmt.Errorf("storing target state of %s: %w", name, err)
	}
	s.changed(name)
	return http.StatusAccepted, nil, nil
}

// resplitStored re-splits a stored connector whose class may have vanished
// from the registry since it was stored.
func (s *Scheduler) resplitStored(ctx context.Context, rec *state.ConnectorRecord) {
	p, err := s.o.Catalogue.Connectors().Lookup(rec.Config["connector.class"])
	if err != nil {
		s.setConnectorFailure(rec.Name, err.Error())
		return
	}
	s.resplit(ctx, rec, p)
}

// restartConnector implements KIP-745: the connector restarts (re-splits)
// unless onlyFailed and it is healthy; tasks restart when includeTasks and
// (not onlyFailed or they failed). Plain restarts answer 204, others 202
// with the status showing RESTARTING for every instance chosen.
func (s *Scheduler) restartConnector(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	includeTasks, err := queryBool(r, "includeTasks")
	if err != nil {
		return 0, nil, err
	}
	onlyFailed, err := queryBool(r, "onlyFailed")
	if err != nil {
		return 0, nil, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	rec, err := s.lookup(r.Context(), name, "Unknown connector: "+name)
	if err != nil {
		return 0, nil, err
	}
	st, err := s.status(r.Context(), rec)
	if err != nil {
		return 0, nil, err
	}
	if !onlyFailed || st.Connector.State == string(state.StateFailed) {
		if err := s.restartSplit(r.Context(), rec); err != nil {
			return 0, nil, err
		}
		st.Connector.State, st.Connector.Trace = string(state.StateRestarting), ""
	}
	for i, t := range st.Tasks {
		if includeTasks && (!onlyFailed || t.State == string(state.StateFailed)) {
			if err := s.markRestarting(r.Context(), name, t.ID); err != nil {
				return 0, nil, err
			}
			st.Tasks[i].State, st.Tasks[i].Trace = string(state.StateRestarting), ""
		}
	}
	if !includeTasks && !onlyFailed {
		return http.StatusNoContent, nil, nil
	}
	return http.StatusAccepted, st, nil
}

// restartSplit re-runs the connector's split, as restarting a Kafka Connect
// connector regenerates its task configs.
func (s *Scheduler) restartSplit(ctx context.Context, rec state.ConnectorRecord) error {
	if rec.Target == state.TargetStopped {
		return nil
	}
	gen := rec.Generation
	s.resplitStored(ctx, &rec)
	if rec.Generation == gen {
		return nil
	}
	if err := s.o.Store.PutConnector(ctx, rec); err != nil {
		return fmt.Errorf("storing task configs of %s: %w", rec.Name, err)
	}
	s.changed(rec.Name)
	return nil
}

// markRestarting shows a task as RESTARTING and tells the loop to clear its
// failure and dispatch it now.
func (s *Scheduler) markRestarting(ctx context.Context, name string, id int) error {
	err := s.o.Store.PutTaskStatus(ctx, state.TaskStatus{Connector: name, Task: id, State: state.StateRestarting,
		WorkerID: s.o.WorkerID, Updated: s.o.Now()})
	if err != nil {
		return fmt.Errorf("storing status of task %s-%d: %w", name, id, err)
	}
	s.notify(event{kind: eventRestartTask, key: taskKey{Connector: name, Task: id}})
	return nil
}

func (s *Scheduler) restartTask(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	id, err := taskID(r)
	if err != nil {
		return 0, nil, err
	}
	rec, err := s.lookup(r.Context(), name, "Unknown connector: "+name)
	if err != nil {
		return 0, nil, err
	}
	if id >= len(rec.Tasks) || rec.Target == state.TargetStopped {
		return 0, nil, notFound("Unknown task: %s-%d", name, id)
	}
	if err := s.markRestarting(r.Context(), name, id); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// listPlugins answers GET /connector-plugins: connector classes, plus the
// extra (converter, transform, predicate) plugins when connectorsOnly=false.
func (s *Scheduler) listPlugins(w http.ResponseWriter, r *http.Request) (int, any, error) {
	connectorsOnly := true
	if r.URL.Query().Has("connectorsOnly") {
		v, err := queryBool(r, "connectorsOnly")
		if err != nil {
			return 0, nil, err
		}
		connectorsOnly = v
	}
	out := []PluginInfo{}
	for _, p := range s.o.Catalogue.Connectors().Plugins() {
		out = append(out, PluginInfo{Class: p.Class, Type: p.Type, Version: p.Version})
	}
	if !connectorsOnly {
		for _, c := range s.o.Catalogue.Components() {
			out = append(out, PluginInfo{Class: c.Class, Type: c.Type, Version: c.Version})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Class < out[j].Class })
	for i := range out {
		if out[i].Version == "undefined" {
			out[i].Version = ""
		}
	}
	return http.StatusOK, out, nil
}
