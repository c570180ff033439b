package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/transforms/catalogue"
)

const (
	testSourceClass = "com.example.TestSourceConnector"
	brokenClass     = "com.example.BrokenConnector"
)

// testSourceConfig is the test source's own configuration.
type testSourceConfig struct {
	Tables string `config:"tables" required:"true"`
}

// testSource gives each of up to maxTasks tasks one of its comma-separated tables.
type testSource struct{}

func (testSource) TaskConfigs(ctx context.Context, props map[string]string, maxTasks int) ([]map[string]string, error) {
	tables := strings.Split(props["tables"], ",")
	out := make([]map[string]string, min(maxTasks, len(tables)))
	for i, t := range tables {
		if out[i%len(out)] == nil {
			out[i%len(out)] = map[string]string{"task.id": strconv.Itoa(i)}
		}
		out[i%len(out)]["tables"] = t
	}
	return out, nil
}

type brokenConnector struct{}

func (brokenConnector) TaskConfigs(context.Context, map[string]string, int) ([]map[string]string, error) {
	return nil, errors.New("cannot reach the database")
}

// testRegistry is the real file and datagen plugins (so the expected
// listings do not change as connectors are added) plus two test plugins.
func testRegistry() *connectors.Registry {
	var plugins []connectors.Plugin
	for _, p := range builtin.Plugins() {
		if strings.HasPrefix(p.Class, "org.apache.kafka.connect.file.") || p.Class == "io.confluent.kafka.connect.datagen.DatagenConnector" {
			plugins = append(plugins, p)
		}
	}
	plugins = append(plugins,
		connectors.Plugin{Class: testSourceClass, Type: connectors.TypeSource, Config: testSourceConfig{},
			NewConnector: func() connectors.Connector { return testSource{} }},
		connectors.Plugin{Class: brokenClass, Type: connectors.TypeSource,
			NewConnector: func() connectors.Connector { return brokenConnector{} }})
	return connectors.NewRegistry(plugins...)
}

// testCatalogue is ferry's catalogue over testRegistry, listing one
// converter only so the expected listings do not change as plugins are added.
type testCatalogue struct{ *catalogue.Catalogue }

func (testCatalogue) Components() []connectors.Component {
	return []connectors.Component{{Class: "org.apache.kafka.connect.json.JsonConverter", Type: connectors.TypeConverter, Version: "4.0.0"}}
}

// nopDispatcher answers every invocation with an idle success.
type nopDispatcher struct{}

func (nopDispatcher) Dispatch(_ context.Context, inv wire.Invocation) (wire.Result, error) {
	return wire.Result{ID: inv.ID, Epoch: inv.Epoch, State: wire.StateRunning, InstanceID: "w"}, nil
}

func newTestScheduler(t testing.TB, store *fakeStore, d Dispatcher) *Scheduler {
	t.Helper()
	if d == nil {
		d = nopDispatcher{}
	}
	s, err := New(Options{Store: store, Catalogue: testCatalogue{catalogue.WithConnectors(testRegistry(), nil, "4.0.0")},
		Dispatcher: d, WorkerID: "sched:8083", Version: "4.0.0", Commit: "abc", KafkaClusterID: "cluster-1",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// call sends one request to h and returns the status, body (without the
// trailing newline) and response headers.
func call(t *testing.T, h http.Handler, method, path, body string) (int, string, http.Header) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, strings.TrimSuffix(rec.Body.String(), "\n"), rec.Header()
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
