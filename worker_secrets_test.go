package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// Issue 11 item 4: a worker secret from the worker's properties never
// appears in an invocation on the wire.
func TestInvocationsCarryNoWorkerSecrets(t *testing.T) {
	const secret = "registry-user:registry-s3cret"
	props := map[string]string{"value.converter": "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.basic.auth.user.info": secret, "value.converter.basic.auth.credentials.source": "USER_INFO",
		"group.id": "connect-cluster"}
	store, err := file.Open(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := settings{listeners: "http://127.0.0.1:0", invocationTimeout: 10 * time.Second, maxRecords: 100,
		keyConverter: "org.apache.kafka.connect.json.JsonConverter", valueConverter: "org.apache.kafka.connect.json.JsonConverter"}
	d := make(captureDispatcher, 1)
	ready := make(chan http.Handler, 1)
	done := make(chan error, 1)
	go func() { done <- serveSchedulerWith(ctx, &s, store, d, props, slog.New(slog.DiscardHandler), ready) }()
	h := <-ready
	body := `{"name":"gen","config":{"connector.class":"DatagenConnector","kafka.topic":"t","quickstart":"orders","tasks.max":"1"}}`
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/connectors", strings.NewReader(body)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	inv := <-d
	wire, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(wire), "s3cret") || strings.Contains(string(wire), `"worker"`) {
		t.Errorf("invocation carries worker settings on the wire: %s", wire)
	}
	cancel()
	<-done
}

// Issue 11 item 12: the worker's group.id and offset.storage.topic reach the
// functions, which name exactly-once transactional ids after them.
func TestWorkerGroupReachesFunctions(t *testing.T) {
	props := map[string]string{"group.id": "connect-cluster", "offset.storage.topic": "my-offsets"}
	s := settings{keyConverter: "org.apache.kafka.connect.json.JsonConverter", valueConverter: "org.apache.kafka.connect.json.JsonConverter"}
	o := functionOptions(&s, props, nil, "test", slog.New(slog.DiscardHandler))
	if got := functions.TransactionalID(o.Worker, functions.Invocation{Connector: "orders", Task: 1}); got != "connect-cluster-orders-1" {
		t.Errorf("TransactionalID = %q, want connect-cluster-orders-1", got)
	}
	if o.Worker["offset.storage.topic"] != "my-offsets" {
		t.Errorf("offset.storage.topic = %q, want my-offsets", o.Worker["offset.storage.topic"])
	}
}
