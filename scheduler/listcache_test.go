package scheduler

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/file"
	"github.com/ferryhq/ferry/transforms/catalogue"
)

// TestListCacheFollowsEveryChange: the kept rendering of
// GET /connectors?expand=status is answered again only while nothing it
// shows changed: a task status, a connector (pause), a split failure.
func TestListCacheFollowsEveryChange(t *testing.T) {
	store, err := file.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s, err := New(Options{Store: store, Catalogue: testCatalogue{catalogue.WithConnectors(testRegistry(), nil, "4.0.0")},
		Dispatcher: nopDispatcher{}, WorkerID: "sched:8083", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	call(t, h, "POST", "/connectors", `{"name":"a","config":{"connector.class":"TestSource","tables":"t"}}`)
	list := func() string {
		t.Helper()
		code, body, _ := call(t, h, "GET", "/connectors?expand=status", "")
		if code != 200 {
			t.Fatalf("GET: %d %s", code, body)
		}
		return body
	}
	steps := []struct {
		name   string
		change func()
		want   string
	}{
		{"first", func() {}, `"tasks":[{"id":0,"state":"UNASSIGNED"`},
		{"unchanged", func() {}, `"tasks":[{"id":0,"state":"UNASSIGNED"`},
		{"task status", func() {
			must(t, store.PutTaskStatus(context.Background(), state.TaskStatus{Connector: "a", State: state.StateRunning, WorkerID: "w"}))
		}, `"tasks":[{"id":0,"state":"RUNNING","worker_id":"w"`},
		{"pause", func() { call(t, h, "PUT", "/connectors/a/pause", "") }, `"state":"PAUSED"`},
		{"split failure", func() { s.setConnectorFailure("a", "cannot reach the database") }, `"trace":"cannot reach the database"`},
	}
	for _, st := range steps {
		st.change()
		if got := list(); !strings.Contains(got, st.want) {
			t.Errorf("%s: %s; want it to contain %s", st.name, got, st.want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
