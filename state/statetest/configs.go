package statetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/ferryhq/ferry/state"
)

func testConnectors(t *testing.T, open Opener) {
	tests := []struct {
		name string
		puts []state.ConnectorRecord
		want []state.ConnectorRecord
	}{
		{"empty", nil, []state.ConnectorRecord{}},
		{"one", []state.ConnectorRecord{connector("a", 1)}, []state.ConnectorRecord{connector("a", 1)}},
		{"sorted by name",
			[]state.ConnectorRecord{connector("zeta", 1), connector("alpha", 1), connector("mid", 1)},
			[]state.ConnectorRecord{connector("alpha", 1), connector("mid", 1), connector("zeta", 1)}},
		{"upsert replaces",
			[]state.ConnectorRecord{connector("a", 1), connector("b", 1), connector("a", 2)},
			[]state.ConnectorRecord{connector("a", 2), connector("b", 1)}},
		{"odd names",
			[]state.ConnectorRecord{connector("with:colon", 1), connector("with space/ünï", 1)},
			[]state.ConnectorRecord{connector("with space/ünï", 1), connector("with:colon", 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fresh(t, open)
			for _, c := range tt.puts {
				must(t, s.PutConnector(ctx(t), c))
			}
			got, err := s.Connectors(ctx(t))
			must(t, err)
			if len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Fatalf("Connectors = %+v, want %+v", got, tt.want)
			}
			for _, want := range tt.want {
				c, err := s.Connector(ctx(t), want.Name)
				must(t, err)
				if !reflect.DeepEqual(c, want) {
					t.Fatalf("Connector(%q) = %+v, want %+v", want.Name, c, want)
				}
			}
			if _, err := s.Connector(ctx(t), "unknown"); !errors.Is(err, state.ErrNotFound) {
				t.Fatalf("Connector(unknown) error = %v, want ErrNotFound", err)
			}
		})
	}
}

func testDeleteConnector(t *testing.T, open Opener) {
	s := fresh(t, open)
	c := ctx(t)
	must(t, s.PutConnector(c, connector("gone", 1)))
	must(t, s.PutConnector(c, connector("kept", 1)))
	for _, name := range []string{"gone", "kept"} {
		must(t, s.PutTaskStatus(c, status(name, 0, state.StateRunning)))
		epoch, err := s.NextEpoch(c, name, 0)
		must(t, err)
		must(t, s.CommitOffsets(c, name, 0, epoch, []state.OffsetEntry{
			{Partition: map[string]any{"file": name}, Offset: map[string]any{"position": int64(7)}},
		}))
	}

	must(t, s.DeleteConnector(c, "gone"))
	if _, err := s.Connector(c, "gone"); !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("Connector after delete: %v, want ErrNotFound", err)
	}
	if err := s.DeleteConnector(c, "gone"); !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("second DeleteConnector: %v, want ErrNotFound", err)
	}
	if st, err := s.TaskStatuses(c, "gone"); err != nil || len(st) != 0 {
		t.Fatalf("statuses after delete = %v, %v; want none", st, err)
	}
	// Epochs survive a delete, so an invocation from before the delete can
	// never share an epoch with one of a connector re-created under the name.
	if e, err := s.NextEpoch(c, "gone", 0); err != nil || e != 2 {
		t.Fatalf("NextEpoch after delete = %d, %v; want 2 (epochs keep counting)", e, err)
	}
	offsets, err := s.ReadOffsets(c, "gone")
	must(t, err)
	if len(offsets) != 1 || offsets[0].Offset["position"] != int64(7) {
		t.Fatalf("offsets after delete = %+v, want kept", offsets)
	}

	// The other connector is untouched.
	if _, err := s.Connector(c, "kept"); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.TaskStatuses(c, "kept"); len(st) != 1 {
		t.Fatalf("statuses of kept = %v", st)
	}
	must(t, s.CheckEpoch(c, "kept", 0, 1))
}

func testTaskStatuses(t *testing.T, open Opener) {
	tests := []struct {
		name string
		puts []state.TaskStatus
		conn string
		want []state.TaskStatus
	}{
		{"none", nil, "a", []state.TaskStatus{}},
		{"sorted by task id",
			[]state.TaskStatus{status("a", 10, state.StateRunning), status("a", 2, state.StateFailed), status("a", 0, state.StatePaused)},
			"a",
			[]state.TaskStatus{status("a", 0, state.StatePaused), status("a", 2, state.StateFailed), status("a", 10, state.StateRunning)}},
		{"upsert per task",
			[]state.TaskStatus{status("a", 0, state.StateRunning), status("a", 0, state.StateFailed)},
			"a",
			[]state.TaskStatus{status("a", 0, state.StateFailed)}},
		{"per connector",
			[]state.TaskStatus{status("a", 0, state.StateRunning), status("b", 1, state.StateFailed)},
			"b",
			[]state.TaskStatus{status("b", 1, state.StateFailed)}},
		{"trace kept",
			[]state.TaskStatus{func() state.TaskStatus {
				s := status("a", 3, state.StateFailed)
				s.Trace = "org.apache.kafka.connect.errors.ConnectException: boom\n\tat x"
				return s
			}()},
			"a",
			[]state.TaskStatus{func() state.TaskStatus {
				s := status("a", 3, state.StateFailed)
				s.Trace = "org.apache.kafka.connect.errors.ConnectException: boom\n\tat x"
				return s
			}()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fresh(t, open)
			for _, st := range tt.puts {
				must(t, s.PutTaskStatus(ctx(t), st))
			}
			got, err := s.TaskStatuses(ctx(t), tt.conn)
			must(t, err)
			if len(got) != len(tt.want) {
				t.Fatalf("TaskStatuses = %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if !got[i].Updated.Equal(tt.want[i].Updated) {
					t.Fatalf("status %d Updated = %v, want %v", i, got[i].Updated, tt.want[i].Updated)
				}
				got[i].Updated = tt.want[i].Updated
				if !reflect.DeepEqual(got[i], tt.want[i]) {
					t.Fatalf("status %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}
