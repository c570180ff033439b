// Package statetest is the conformance suite every state.Store backend must
// pass: the same table-driven tests run against the file and Redis backends,
// so both keep exactly the semantics the scheduler and functions rely on.
package statetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state"
)

// Opener returns a new, empty store for one test. The suite closes it.
type Opener func(t *testing.T) state.Store

// Run runs the whole conformance suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	suites := []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"Connectors", testConnectors},
		{"DeleteConnector", testDeleteConnector},
		{"TaskStatuses", testTaskStatuses},
		{"Epochs", testEpochs},
		{"ConcurrentEpochs", testConcurrentEpochs},
		{"Offsets", testOffsets},
		{"Fencing", testFencing},
		{"FencedCommitWritesNothing", testFencedCommitWritesNothing},
		{"RacingRounds", testRacingRounds},
		{"RacingInvocations", testRacingInvocations},
		{"Signing", testSigning},
		{"ConcurrentRotation", testConcurrentRotation},
		{"StatusBatch", testStatusBatch},
		{"Revision", testRevision},
		{"Close", testClose},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) { s.run(t, open) })
	}
}

// fresh opens a store that is closed when the test ends.
func fresh(t *testing.T, open Opener) state.Store {
	t.Helper()
	s := open(t)
	t.Cleanup(func() { s.Close() })
	return s
}

// ctx gives each call a generous deadline so a hung backend fails the test.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// mustFenced fails unless err wraps state.ErrFenced and is not retriable.
func mustFenced(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, state.ErrFenced) {
		t.Fatalf("got %v, want an error wrapping state.ErrFenced", err)
	}
	var r *connectors.RetriableError
	if errors.As(err, &r) {
		t.Fatalf("fenced error %v must not be retriable", err)
	}
}

func connector(name string, gen int64) state.ConnectorRecord {
	return state.ConnectorRecord{
		Name:   name,
		Config: map[string]string{"connector.class": "FileStreamSource", "file": "/tmp/" + name},
		Target: state.TargetRunning,
		Tasks: []map[string]string{
			{"task.class": "FileStreamSourceTask", "file": "/tmp/" + name},
		},
		Generation: gen,
	}
}

func status(conn string, task int, st state.State) state.TaskStatus {
	return state.TaskStatus{
		Connector: conn, Task: task, State: st, WorkerID: fmt.Sprintf("worker-%d", task),
		Epoch: int64(task + 1), Updated: time.Date(2024, 5, 1, 12, 0, task, 0, time.UTC),
	}
}

func testClose(t *testing.T, open Opener) {
	s := open(t)
	must(t, s.PutConnector(ctx(t), connector("a", 1)))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
