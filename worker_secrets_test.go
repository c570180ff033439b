package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state/file"
)

// captureDispatcher records every invocation the scheduler sends.
type captureDispatcher chan functions.Invocation

func (c captureDispatcher) Dispatch(_ context.Context, inv functions.Invocation) (functions.Result, error) {
	select {
	case c <- inv:
	default:
	}
	return functions.Result{ID: inv.ID, State: functions.StateRunning, InstanceID: "test"}, nil
}

// testProc loads a worker configuration from a properties body and flags.
func testProc(t *testing.T, props string, args ...string) *proc {
	t.Helper()
	wp := filepath.Join(t.TempDir(), "worker.properties")
	if err := os.WriteFile(wp, []byte(props), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := load(context.Background(), "test", append([]string{wp}, args...), true)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Issue 11 item 4: a worker secret from the worker's properties never
// appears in an invocation on the wire.
func TestInvocationsCarryNoWorkerSecrets(t *testing.T) {
	p := testProc(t, "value.converter=org.apache.kafka.connect.json.JsonConverter\n"+
		"value.converter.basic.auth.user.info=registry-user:registry-s3cret\n"+
		"value.converter.basic.auth.credentials.source=USER_INFO\ngroup.id=connect-cluster\n",
		"--listeners", "http://127.0.0.1:0", "--log-level", "error")
	store, err := file.Open(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := make(captureDispatcher, 1)
	done := make(chan error, 1)
	cfg := map[string]string{"name": "gen", "connector.class": "DatagenConnector", "kafka.topic": "t", "quickstart": "orders", "tasks.max": "1"}
	go func() { done <- serveScheduler(ctx, p, store, d, []map[string]string{cfg}) }()
	inv := <-d
	wire, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(wire), "s3cret") || strings.Contains(string(wire), `"worker"`) {
		t.Errorf("invocation carries worker settings on the wire: %s", wire)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Issue 11 item 12: the worker's group.id and offset.storage.topic reach the
// functions, which name exactly-once transactional ids after them.
func TestWorkerGroupReachesFunctions(t *testing.T) {
	p := testProc(t, "group.id=connect-cluster\noffset.storage.topic=my-offsets\n")
	o := functionOptions(p, nil, "test", p.log)
	if got := functions.TransactionalID(o.Worker, functions.Invocation{Connector: "orders", Task: 1}); got != "connect-cluster-orders-1" {
		t.Errorf("TransactionalID = %q, want connect-cluster-orders-1", got)
	}
	if o.Worker["offset.storage.topic"] != "my-offsets" {
		t.Errorf("offset.storage.topic = %q, want my-offsets", o.Worker["offset.storage.topic"])
	}
}
