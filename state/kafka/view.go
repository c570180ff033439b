package kafka

import (
	"encoding/json"
	"log/slog"
	"maps"
	"strings"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kgo"
)

// view is what the topics say, rebuilt by replaying them in order the way
// Kafka Connect's backing stores do. The tailer applies records under its
// lock; readers take the same lock (Store.read).
type view struct {
	topics Topics
	log    *slog.Logger

	configs  map[string]map[string]string         // connector-<name>
	targets  map[string]state.TargetState         // target-state-<name>
	tasks    map[string][]map[string]string       // applied by commit-<name>
	commits  map[string]int64                     // offset of the last applied commit-<name>
	deferred map[string]map[int]map[string]string // task-<name>-<n> awaiting their commit

	statuses map[string]map[int]state.TaskStatus
	offsets  map[string]map[string]state.OffsetEntry // connector -> key bytes -> entry

	meta meta // the ferry topic

	connRev, statusRev int64
}

func newView(topics Topics, log *slog.Logger) *view {
	return &view{topics: topics, log: log,
		configs: map[string]map[string]string{}, targets: map[string]state.TargetState{},
		tasks: map[string][]map[string]string{}, commits: map[string]int64{},
		deferred: map[string]map[int]map[string]string{},
		statuses: map[string]map[int]state.TaskStatus{}, offsets: map[string]map[string]state.OffsetEntry{},
		meta: newMeta()}
}

// apply dispatches one record by topic.
func (v *view) apply(r *kgo.Record) {
	switch r.Topic {
	case v.topics.Config:
		v.applyConfig(r)
		v.connRev++
	case v.topics.Status:
		v.applyStatus(r)
	case v.topics.Offsets:
		v.applyOffset(r)
	case v.topics.Ferry:
		if v.meta.apply(r, v.log) {
			v.connRev++
		}
	}
}

// skip logs a record that cannot be parsed: it is ignored, never fatal for
// the other connectors (Kafka Connect logs and skips such records too).
func (v *view) skip(r *kgo.Record, err error) {
	v.log.Error("skipping a record the state store cannot parse", "topic", r.Topic, "partition", r.Partition,
		"offset", r.Offset, "key", string(r.Key), "err", err)
}

// applyConfig replays one config topic record as KafkaConfigBackingStore does.
func (v *view) applyConfig(r *kgo.Record) {
	key := string(r.Key)
	switch {
	case strings.HasPrefix(key, connectorPrefix):
		name := key[len(connectorPrefix):]
		if r.Value == nil {
			delete(v.configs, name)
			delete(v.targets, name)
			delete(v.tasks, name)
			delete(v.commits, name)
			delete(v.deferred, name)
			return
		}
		var pv propertiesValue
		if err := json.Unmarshal(r.Value, &pv); err != nil || pv.Properties == nil {
			v.skip(r, orMissing(err, "properties"))
			return
		}
		v.configs[name] = pv.Properties
	case strings.HasPrefix(key, targetStatePrefix):
		name := key[len(targetStatePrefix):]
		if r.Value == nil {
			delete(v.targets, name)
			return
		}
		t, err := decodeTarget(r.Value)
		if err != nil {
			v.skip(r, err)
			return
		}
		v.targets[name] = t
	case strings.HasPrefix(key, taskPrefix):
		name, n, ok := splitTaskID(key[len(taskPrefix):])
		var pv propertiesValue
		if !ok || r.Value == nil || json.Unmarshal(r.Value, &pv) != nil || pv.Properties == nil {
			v.skip(r, errMalformed)
			return
		}
		if v.deferred[name] == nil {
			v.deferred[name] = map[int]map[string]string{}
		}
		v.deferred[name][n] = pv.Properties
	case strings.HasPrefix(key, commitPrefix):
		v.applyCommit(r, key[len(commitPrefix):])
	}
	// session-key, restart-connector-, tasks-fencing-, logger-cluster- and
	// unknown keys: nothing for ferry's view.
}

// applyCommit applies the deferred task configs of name iff they are exactly
// tasks 0..n-1; otherwise the connector keeps its previous tasks (an
// incomplete set comes from compacted history, as Kafka Connect reasons).
func (v *view) applyCommit(r *kgo.Record, name string) {
	var cv commitValue
	if r.Value == nil || json.Unmarshal(r.Value, &cv) != nil || cv.Tasks < 0 {
		v.skip(r, errMalformed)
		return
	}
	deferred := v.deferred[name]
	delete(v.deferred, name)
	tasks := make([]map[string]string, cv.Tasks)
	for i := range tasks {
		cfg, ok := deferred[i]
		if !ok {
			v.log.Warn("a task config commit misses task configs (compacted history): keeping the connector's previous tasks",
				"topic", r.Topic, "offset", r.Offset, "connector", name, "tasks", cv.Tasks, "missing", i)
			return
		}
		tasks[i] = cfg
	}
	v.tasks[name] = tasks
	v.commits[name] = r.Offset
}

// applyStatus keeps the last status of each task; a null value removes it.
func (v *view) applyStatus(r *kgo.Record) {
	key := string(r.Key)
	if !strings.HasPrefix(key, statusTaskPrefix) {
		return // connector and topic statuses: not part of ferry's view
	}
	name, task, ok := splitTaskID(key[len(statusTaskPrefix):])
	if !ok {
		v.skip(r, errMalformed)
		return
	}
	v.statusRev++
	if r.Value == nil {
		delete(v.statuses[name], task)
		if len(v.statuses[name]) == 0 {
			delete(v.statuses, name)
		}
		return
	}
	st, err := decodeTaskStatus(name, task, r.Value, r.Timestamp)
	if err != nil {
		v.skip(r, err)
		return
	}
	if v.statuses[name] == nil {
		v.statuses[name] = map[int]state.TaskStatus{}
	}
	v.statuses[name][task] = st
}

// applyOffset keeps the last offset of each [connector, partition] key; a
// tombstone removes it; keys that are not [string, map] are skipped.
func (v *view) applyOffset(r *kgo.Record) {
	conn, partition, ok := state.DecodeOffsetKey(r.Key)
	if !ok {
		return
	}
	k := string(r.Key)
	if r.Value == nil {
		delete(v.offsets[conn], k)
		return
	}
	off, err := state.DecodeOffsetValue(r.Value)
	if err != nil {
		v.skip(r, err)
		return
	}
	if v.offsets[conn] == nil {
		v.offsets[conn] = map[string]state.OffsetEntry{}
	}
	v.offsets[conn][k] = state.OffsetEntry{Partition: partition, Offset: off}
}

// connector returns the stored record of name, if any. Generation is 0
// while the connector has no task commit (it is split then); otherwise
// ferry's own (the ferry topic) when ferry wrote one, else, for a connector
// Kafka Connect wrote, the position of its last task commit plus one, so
// committed tasks run as they are.
func (v *view) connector(name string) (state.ConnectorRecord, bool) {
	cfg, ok := v.configs[name]
	if !ok {
		return state.ConnectorRecord{}, false
	}
	rec := state.ConnectorRecord{Name: name, Config: maps.Clone(cfg), Target: state.TargetRunning}
	if t, ok := v.targets[name]; ok {
		rec.Target = t
	}
	for _, t := range v.tasks[name] {
		rec.Tasks = append(rec.Tasks, maps.Clone(t))
	}
	// ferry writes a commit with every generation above 0, so a generation
	// without a commit is a leftover: Kafka Connect re-created the connector
	// and has not split it yet (its deletes leave ferry's records alone).
	if off, ok := v.commits[name]; ok {
		rec.Generation = off + 1
		if g, ok := v.meta.generations[name]; ok {
			rec.Generation = g
		}
	}
	return rec, true
}
