package statetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/ferryhq/ferry/state"
)

// StatusBatch is what a backend offers to read many connectors' task
// statuses at once (GET /connectors?expand=status).
type StatusBatch interface {
	TaskStatusesOf(ctx context.Context, connectors []string) (map[string][]state.TaskStatus, error)
}

// Revisioner is what a backend offers to tell the scheduler whether any
// connector changed since it last read them all.
type Revisioner interface {
	ConnectorsRevision(ctx context.Context) (int64, error)
}

// testStatusBatch: TaskStatusesOf answers what TaskStatuses answers for
// each connector, including none for a connector without statuses.
func testStatusBatch(t *testing.T, open Opener) {
	s := fresh(t, open)
	b, ok := s.(StatusBatch)
	if !ok {
		t.Skip("backend reads statuses one connector at a time")
	}
	c := ctx(t)
	must(t, s.PutTaskStatus(c, status("a", 1, state.StateRunning)))
	must(t, s.PutTaskStatus(c, status("a", 0, state.StateFailed)))
	must(t, s.PutTaskStatus(c, status("b", 0, state.StateRunning)))
	got, err := b.TaskStatusesOf(c, []string{"a", "b", "none"})
	must(t, err)
	for _, name := range []string{"a", "b", "none"} {
		want, err := s.TaskStatuses(c, name)
		must(t, err)
		if !reflect.DeepEqual(got[name], want) {
			t.Errorf("TaskStatusesOf[%s] = %+v, TaskStatuses = %+v", name, got[name], want)
		}
	}
}

// testRevision: every PutConnector and DeleteConnector moves the revision;
// statuses, epochs and offsets do not.
func testRevision(t *testing.T, open Opener) {
	s := fresh(t, open)
	r, ok := s.(Revisioner)
	if !ok {
		t.Skip("backend has no connectors revision")
	}
	c := ctx(t)
	rev := func() int64 {
		n, err := r.ConnectorsRevision(c)
		must(t, err)
		return n
	}
	r0 := rev()
	must(t, s.PutConnector(c, connector("a", 1)))
	r1 := rev()
	if r1 == r0 {
		t.Fatal("PutConnector did not move the revision")
	}
	must(t, s.PutTaskStatus(c, status("a", 0, state.StateRunning)))
	_, err := s.NextEpoch(c, "a", 0)
	must(t, err)
	if rev() != r1 {
		t.Error("a status or an epoch moved the connectors revision")
	}
	must(t, s.DeleteConnector(c, "a"))
	if rev() == r1 {
		t.Error("DeleteConnector did not move the revision")
	}
}
