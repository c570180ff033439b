package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/state"
)

func (s *Scheduler) serverInfo(w http.ResponseWriter, r *http.Request) (int, any, error) {
	return http.StatusOK, serverInfo{Version: KafkaConnectVersion, Commit: s.o.Commit, KafkaClusterID: s.o.KafkaClusterID,
		FerryVersion: s.o.Version}, nil
}

// listConnectors answers GET /connectors: sorted names, or with expand=status
// and/or expand=info a map of name to the expansions (unknown values ignored).
func (s *Scheduler) listConnectors(w http.ResponseWriter, r *http.Request) (int, any, error) {
	expand := r.URL.Query()["expand"]
	withStatus, withInfo := slices.Contains(expand, "status"), slices.Contains(expand, "info")
	key, cacheable := s.listKeyNow(r.Context(), withStatus, withInfo)
	if cacheable && len(expand) > 0 {
		if body, ok := s.cachedList(key); ok {
			return http.StatusOK, body, nil
		}
	}
	recs, err := s.connectors(r.Context()) // sorted by name; shared, read-only
	if err != nil {
		return 0, nil, fmt.Errorf("listing connectors: %w", err)
	}
	if len(expand) == 0 {
		names := make([]string, len(recs))
		for i, rec := range recs {
			names[i] = rec.Name
		}
		return http.StatusOK, names, nil
	}
	var stored map[string][]state.TaskStatus
	if withStatus {
		if stored, err = s.statuses(r.Context(), recs); err != nil {
			return 0, nil, err
		}
	}
	out := make(map[string]expanded, len(recs))
	for _, rec := range recs {
		var e expanded
		if withStatus {
			st := s.statusOf(rec, stored[rec.Name])
			e.Status = &st
		}
		if withInfo {
			info := s.info(rec)
			e.Info = &info
		}
		out[rec.Name] = e
	}
	body, err := s.keepList(key, cacheable, out)
	if err != nil {
		return 0, nil, fmt.Errorf("encoding the connector list: %w", err)
	}
	return http.StatusOK, body, nil
}

// createConnector answers POST /connectors: validate (400), exists (409), store, split.
func (s *Scheduler) createConnector(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var req createRequest
	if err := decodeBody(w, r, &req); err != nil {
		return 0, nil, err
	}
	name := ""
	if req.Name != nil {
		name = strings.TrimSpace(*req.Name)
	}
	target, err := initialState(req.InitialState)
	if err != nil {
		return 0, nil, err
	}
	config, err := withName(req.Config, name)
	if err != nil {
		return 0, nil, err
	}
	p, err := s.validate(config)
	if err != nil {
		return 0, nil, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, err := s.lookup(r.Context(), name, ""); err == nil {
		return 0, nil, errorf(http.StatusConflict, "Connector %s already exists", name)
	} else if !isNotFound(err) {
		return 0, nil, err
	}
	rec, err := s.upsert(r.Context(), p, name, config, target, nil)
	if err != nil {
		return 0, nil, err
	}
	w.Header().Set("Location", "/connectors/"+url.PathEscape(name))
	return http.StatusCreated, s.info(rec), nil
}

// initialState parses initial_state (KIP-980, case-insensitive; default RUNNING).
func initialState(v *string) (state.TargetState, error) {
	if v == nil {
		return state.TargetRunning, nil
	}
	switch t := state.TargetState(strings.ToUpper(strings.TrimSpace(*v))); t {
	case state.TargetRunning, state.TargetPaused, state.TargetStopped:
		return t, nil
	}
	return "", badRequest("Invalid initial_state %q: use RUNNING, PAUSED or STOPPED", *v)
}

// withName copies config, checking that its name (if any) matches the
// connector name and inserting it otherwise.
func withName(config map[string]string, name string) (map[string]string, error) {
	if n, ok := config["name"]; ok && n != name {
		return nil, badRequest("Connector name configuration (%s) doesn't match connector name in the URL (%s)", n, name)
	}
	out := maps.Clone(config)
	if out == nil {
		out = map[string]string{}
	}
	out["name"] = name
	return out, nil
}

func (s *Scheduler) getConnector(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	rec, err := s.lookup(r.Context(), name, "Connector "+name+" not found")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.info(rec), nil
}

// deleteConnector removes the connector; DeleteConnector also clears its
// epochs, so an invocation still running is fenced at its next commit.
func (s *Scheduler) deleteConnector(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, err := s.lookup(r.Context(), name, "Connector "+name+" not found"); err != nil {
		return 0, nil, err
	}
	if err := s.o.Store.DeleteConnector(r.Context(), name); err != nil {
		return 0, nil, fmt.Errorf("deleting connector %s: %w", name, err)
	}
	s.setConnectorFailure(name, "")
	s.forgetTopics(name)
	s.notify(event{kind: eventDelete, key: taskKey{Connector: name}})
	return http.StatusNoContent, nil, nil
}

func (s *Scheduler) getConfig(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	rec, err := s.lookup(r.Context(), name, "Connector "+name+" not found")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, rec.Config, nil
}

// putConfig creates (201) or replaces (200) a connector's config; a replaced
// connector keeps its target state.
func (s *Scheduler) putConfig(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	var body configMap
	if err := decodeBody(w, r, &body); err != nil {
		return 0, nil, err
	}
	rec, created, err := s.put(r.Context(), name, body)
	if err != nil {
		return 0, nil, err
	}
	if created {
		w.Header().Set("Location", "/connectors/"+url.PathEscape(name))
		return http.StatusCreated, s.info(rec), nil
	}
	return http.StatusOK, s.info(rec), nil
}

// PutConnectorConfig creates or replaces a connector's config exactly as PUT
// /connectors/{name}/config does (same validation, same errors), for callers
// in this process such as ferry standalone's connector files. created
// reports a new connector.
func (s *Scheduler) PutConnectorConfig(ctx context.Context, name string, config map[string]string) (created bool, err error) {
	_, created, err = s.put(ctx, name, config)
	return created, err
}

// put validates and stores a connector config; a replaced connector keeps
// its target state.
func (s *Scheduler) put(ctx context.Context, name string, body map[string]string) (state.ConnectorRecord, bool, error) {
	config, err := withName(body, name)
	if err != nil {
		return state.ConnectorRecord{}, false, err
	}
	p, err := s.validate(config)
	if err != nil {
		return state.ConnectorRecord{}, false, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	prev, err := s.lookup(ctx, name, "")
	if err != nil && !isNotFound(err) {
		return state.ConnectorRecord{}, false, err
	}
	created := err != nil
	target, prevp := state.TargetRunning, (*state.ConnectorRecord)(nil)
	if !created {
		target, prevp = prev.Target, &prev
	}
	rec, err := s.upsert(ctx, p, name, config, target, prevp)
	return rec, created, err
}

func (s *Scheduler) getTasks(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	rec, err := s.lookup(r.Context(), name, "Connector "+name+" not found")
	if err != nil {
		return 0, nil, err
	}
	out := make([]taskInfo, len(rec.Tasks))
	for i, t := range rec.Tasks {
		out[i] = taskInfo{ID: connectorTaskID{Connector: name, Task: i}, Config: s.withTaskClass(t)}
	}
	return http.StatusOK, out, nil
}

// info renders a stored connector as ConnectorInfo.
func (s *Scheduler) info(rec state.ConnectorRecord) connectorInfo {
	tasks := make([]connectorTaskID, len(rec.Tasks))
	for i := range rec.Tasks {
		tasks[i] = connectorTaskID{Connector: rec.Name, Task: i}
	}
	config := rec.Config
	if config == nil {
		config = map[string]string{}
	}
	return connectorInfo{Name: rec.Name, Config: config, Tasks: tasks, Type: s.connectorType(rec.Config)}
}

// withTaskClass adds task.class, which Kafka Connect's framework puts in
// every task config, named as Kafka's task classes are (FooConnector -> FooTask).
func (s *Scheduler) withTaskClass(t map[string]string) map[string]string {
	p, err := s.o.Catalogue.Connectors().Lookup(t["connector.class"])
	if err != nil {
		return t
	}
	out := maps.Clone(t)
	out["task.class"] = strings.TrimSuffix(p.Class, "Connector") + "Task"
	return out
}

func isNotFound(err error) bool {
	ae, ok := err.(*apiError)
	return ok && ae.Code == http.StatusNotFound
}

// statusRevisioner is a store that counts changes to task statuses.
type statusRevisioner interface {
	StatusesRevision(ctx context.Context) (int64, error)
}

// listKey names one rendering of GET /connectors with expansions: what it
// was built from. Split failures live in this process (failures).
type listKey struct {
	connectors, statuses, failures int64
	status, info                   bool
}

// listCache keeps the last rendered expanded list: a dashboard polling
// GET /connectors?expand=status over 10,000 idle connectors gets the same
// bytes without the statuses being read and encoded again.
type listCache struct {
	mu   sync.Mutex
	ok   bool
	key  listKey
	body rawJSON
}

// rawJSON is an answer already encoded, written as it is.
type rawJSON []byte

// listKeyNow reads the store's revisions; ok is false when the store has
// none (every request is rendered).
func (s *Scheduler) listKeyNow(ctx context.Context, status, info bool) (listKey, bool) {
	cr, ok1 := s.o.Store.(revisioner)
	sr, ok2 := s.o.Store.(statusRevisioner)
	if !ok1 || !ok2 {
		return listKey{}, false
	}
	conns, err := cr.ConnectorsRevision(ctx)
	if err != nil {
		return listKey{}, false
	}
	statuses, err := sr.StatusesRevision(ctx)
	if err != nil {
		return listKey{}, false
	}
	return listKey{connectors: conns, statuses: statuses, failures: s.failures.Load(), status: status, info: info}, true
}

// cachedList returns the rendering made under key, if it is the last one.
func (s *Scheduler) cachedList(key listKey) (rawJSON, bool) {
	c := &s.lists
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.body, c.ok && c.key == key
}

// keepList encodes out and keeps it under key (read before the data, so a
// change in between is rendered again by the next request).
func (s *Scheduler) keepList(key listKey, cacheable bool, out any) (rawJSON, error) {
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	if cacheable {
		c := &s.lists
		c.mu.Lock()
		c.ok, c.key, c.body = true, key, b
		c.mu.Unlock()
	}
	return b, nil
}
