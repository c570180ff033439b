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
// connector or any task status changed since it last read them all.
type Revisioner interface {
	ConnectorsRevision(ctx context.Context) (int64, error)
	StatusesRevision(ctx context.Context) (int64, error)
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

// testRevision: every PutConnector and DeleteConnector moves the connectors
// revision, and statuses, epochs and offsets do not; every PutTaskStatus and
// DeleteConnector moves the statuses revision.
func testRevision(t *testing.T, open Opener) {
	s := fresh(t, open)
	r, ok := s.(Revisioner)
	if !ok {
		t.Skip("backend has no revisions")
	}
	c := ctx(t)
	revs := func() [2]int64 {
		conns, err := r.ConnectorsRevision(c)
		must(t, err)
		statuses, err := r.StatusesRevision(c)
		must(t, err)
		return [2]int64{conns, statuses}
	}
	r0 := revs()
	must(t, s.PutConnector(c, connector("a", 1)))
	r1 := revs()
	if r1[0] == r0[0] {
		t.Fatal("PutConnector did not move the connectors revision")
	}
	must(t, s.PutTaskStatus(c, status("a", 0, state.StateRunning)))
	r2 := revs()
	if r2[1] == r1[1] {
		t.Error("PutTaskStatus did not move the statuses revision")
	}
	_, err := s.NextEpoch(c, "a", 0)
	must(t, err)
	if r3 := revs(); r3[0] != r1[0] || r3 != r2 {
		t.Errorf("revisions %v after a status and an epoch; want connectors at %d, then unchanged by the epoch (%v)", r3, r1[0], r2)
	}
	must(t, s.DeleteConnector(c, "a"))
	if r4 := revs(); r4[0] == r2[0] || r4[1] == r2[1] {
		t.Errorf("DeleteConnector moved the revisions %v -> %v; want both moved", r2, r4)
	}
}
