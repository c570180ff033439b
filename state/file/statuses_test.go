package file

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ferryhq/ferry/state"
)

// TestTaskStatusesJSON: the slice of statuses reads and writes the JSON a
// map[int]state.TaskStatus gave (keys sorted as strings, so 10 before 2),
// and stays sorted by task id whatever order puts come in.
func TestTaskStatusesJSON(t *testing.T) {
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	st := func(id int) state.TaskStatus {
		return state.TaskStatus{Connector: "c", Task: id, State: state.StateRunning, WorkerID: "w", Epoch: int64(id), Updated: at}
	}
	tests := []struct {
		name string
		puts []int
	}{
		{"none", nil},
		{"one", []int{0}},
		{"unsorted with two digits", []int{10, 2, 0, 1}},
		{"put twice", []int{3, 1, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ts taskStatuses
			m := map[int]state.TaskStatus{}
			for _, id := range tt.puts {
				ts, _, _ = ts.put(st(id))
				m[id] = st(id)
			}
			got, err := json.Marshal(ts)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(m)
			if string(got) != string(want) {
				t.Fatalf("JSON\n got %s\nwant %s", got, want)
			}
			var back taskStatuses
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			if len(back) != len(m) {
				t.Fatalf("read back %d statuses, want %d", len(back), len(m))
			}
			for i, s := range back {
				if s != m[s.Task] || (i > 0 && back[i-1].Task >= s.Task) {
					t.Fatalf("read back %+v, not sorted or not what was written", back)
				}
			}
		})
	}
}
