package kafka

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/state"
)

// Config topic keys, as Kafka Connect's KafkaConfigBackingStore names them.
const (
	connectorPrefix   = "connector-"
	taskPrefix        = "task-"
	commitPrefix      = "commit-"
	targetStatePrefix = "target-state-"
	sessionKeyKey     = "session-key"
)

// Status topic keys, as Kafka Connect's KafkaStatusBackingStore names them.
const (
	statusConnectorPrefix = "status-connector-"
	statusTaskPrefix      = "status-task-"
)

// encode writes v as compact JSON the way Kafka Connect's JsonConverter
// (Jackson) does: struct fields in declaration order, map keys sorted,
// <, > and & left unescaped.
func encode(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("encoding %T: %v", v, err)) // only fixed record types come here
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// propertiesValue is the value of connector-<name> and task-<name>-<n>.
type propertiesValue struct {
	Properties map[string]string `json:"properties"`
}

// commitValue is the value of commit-<name>: how many task configs it applies.
type commitValue struct {
	Tasks int `json:"tasks"`
}

// targetStateValue is the value of target-state-<name> (v1 with state.v2):
// STOPPED is written as state PAUSED for workers older than Kafka 3.5.
type targetStateValue struct {
	State   string  `json:"state"`
	StateV2 *string `json:"state.v2,omitempty"`
}

// sessionKeyValue is the value of session-key (KIP-507).
type sessionKeyValue struct {
	Key       string `json:"key"`
	Algorithm string `json:"algorithm"`
	Created   int64  `json:"creation-timestamp"`
}

// statusValue is the value of status-connector-<name> and status-task-<name>-<n>.
// Kafka Connect 4.1 adds version, the plugin's version (null when unknown).
type statusValue struct {
	State      string  `json:"state"`
	Trace      *string `json:"trace"`
	WorkerID   string  `json:"worker_id"`
	Generation int64   `json:"generation"`
	Version    *string `json:"version"`
}

func connectorKey(name string) string         { return connectorPrefix + name }
func taskKey(name string, task int) string    { return taskPrefix + name + "-" + strconv.Itoa(task) }
func commitKey(name string) string            { return commitPrefix + name }
func targetStateKey(name string) string       { return targetStatePrefix + name }
func statusTaskKey(name string, t int) string { return statusTaskPrefix + name + "-" + strconv.Itoa(t) }

// connectorValue encodes a connector or task config.
func connectorValue(props map[string]string) []byte {
	if props == nil {
		props = map[string]string{}
	}
	return encode(propertiesValue{props})
}

// targetValue encodes a target state as Kafka Connect does: RUNNING is
// STARTED, STOPPED is written as PAUSED with state.v2 STOPPED.
func targetValue(t state.TargetState) []byte {
	v2 := "STARTED"
	switch t {
	case state.TargetPaused:
		v2 = "PAUSED"
	case state.TargetStopped:
		v2 = "STOPPED"
	}
	v1 := v2
	if v1 == "STOPPED" {
		v1 = "PAUSED"
	}
	return encode(targetStateValue{State: v1, StateV2: &v2})
}

// decodeTarget reads a target-state value; state.v2 wins when present.
func decodeTarget(v []byte) (state.TargetState, error) {
	var tv targetStateValue
	if err := json.Unmarshal(v, &tv); err != nil {
		return "", err
	}
	s := tv.State
	if tv.StateV2 != nil {
		s = *tv.StateV2
	}
	switch s {
	case "STARTED":
		return state.TargetRunning, nil
	case "PAUSED":
		return state.TargetPaused, nil
	case "STOPPED":
		return state.TargetStopped, nil
	}
	return "", fmt.Errorf("unknown target state %q", s)
}

// taskStatusValue encodes a task status: the epoch is the generation, the
// update time travels as the record's timestamp.
func taskStatusValue(st state.TaskStatus) []byte {
	v := statusValue{State: string(st.State), WorkerID: st.WorkerID, Generation: st.Epoch}
	if st.Trace != "" {
		v.Trace = &st.Trace
	}
	return encode(v)
}

// decodeTaskStatus reads a status-task value written at ts.
func decodeTaskStatus(conn string, task int, v []byte, ts time.Time) (state.TaskStatus, error) {
	var sv statusValue
	if err := json.Unmarshal(v, &sv); err != nil {
		return state.TaskStatus{}, err
	}
	st := state.TaskStatus{Connector: conn, Task: task, State: state.State(sv.State), WorkerID: sv.WorkerID,
		Epoch: sv.Generation, Updated: ts.UTC()}
	if sv.Trace != nil {
		st.Trace = *sv.Trace
	}
	return st, nil
}

// splitTaskID splits "<name>-<n>" at its last dash, as Kafka Connect parses
// task-<name>-<n> and status-task-<name>-<n>.
func splitTaskID(s string) (string, int, bool) {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n < 0 {
		return "", 0, false
	}
	return s[:i], n, true
}
