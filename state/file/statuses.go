package file

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/ferryhq/ferry/state"
)

// taskStatuses are one connector's task statuses sorted by task id. A slice,
// not a map keyed by task id: a Go map of one TaskStatus takes a whole
// 8-slot group (close to 1 KB), which at 10,000 connectors was 9 MB of a
// standalone process's heap. On disk it is the same JSON object keyed by
// task id that a map[int]state.TaskStatus gives.
type taskStatuses []state.TaskStatus

// find returns the index of task id, or where it would go and false.
func (ts taskStatuses) find(id int) (int, bool) {
	return slices.BinarySearchFunc(ts, id, func(st state.TaskStatus, id int) int { return st.Task - id })
}

// put sets the status of st.Task and returns the list, the previous status
// and whether there was one.
func (ts taskStatuses) put(st state.TaskStatus) (taskStatuses, state.TaskStatus, bool) {
	i, ok := ts.find(st.Task)
	if ok {
		old := ts[i]
		ts[i] = st
		return ts, old, true
	}
	return slices.Insert(ts, i, st), state.TaskStatus{}, false
}

// remove drops task id's status.
func (ts taskStatuses) remove(id int) taskStatuses {
	if i, ok := ts.find(id); ok {
		return slices.Delete(ts, i, i+1)
	}
	return ts
}

// MarshalJSON writes the statuses as an object keyed by task id, in the
// order encoding/json gives a map[int] (keys sorted as strings).
func (ts taskStatuses) MarshalJSON() ([]byte, error) {
	m := make(map[int]state.TaskStatus, len(ts))
	for _, st := range ts {
		m[st.Task] = st
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads the object MarshalJSON writes; the task id comes from
// the key, as it did when the statuses were a map.
func (ts *taskStatuses) UnmarshalJSON(data []byte) error {
	var m map[string]state.TaskStatus
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	out := make(taskStatuses, 0, len(m))
	for k, st := range m {
		id, err := strconv.Atoi(k)
		if err != nil {
			return fmt.Errorf("task id %q is not a number", k)
		}
		st.Task = id
		out, _, _ = out.put(st)
	}
	*ts = out
	return nil
}
