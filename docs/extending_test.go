// Package docs_test keeps docs/extending.md honest: it registers the example
// sink connector (connectors/examplesink) beside the built-in ones, exactly as
// the page says, and runs it through the real scheduler and function handler
// against franz-go's in-process Kafka (kfake), so no service is needed.
package docs_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/connectors/examplesink"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/scheduler"
	"github.com/ferryhq/ferry/state/file"
	"github.com/ferryhq/ferry/transforms/catalogue"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// handlerDispatcher is the scheduler's Dispatcher calling the function
// handler in-process (production sends the invocation over NATS or to
// Lambda); it hands every result to the test.
type handlerDispatcher struct {
	h       *functions.Handler
	results chan<- functions.Result
}

func (d handlerDispatcher) Dispatch(ctx context.Context, inv functions.Invocation) (functions.Result, error) {
	res, err := d.h.Handle(ctx, inv)
	select {
	case d.results <- res:
	case <-ctx.Done():
	}
	return res, err
}

// TestExampleSinkEndToEnd follows docs/extending.md: the one line a new
// connector adds to connectors/builtin is the append below.
func TestExampleSinkEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	seeds := cluster.ListenAddrs()
	produce(ctx, t, seeds, "orders", "a", "b", "c", "d")

	store, err := file.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	registry := connectors.NewRegistry(append(builtin.Plugins(), examplesink.Plugin())...)

	h, err := functions.NewHandler(functions.Options{Plugins: registry, Store: store, Seeds: seeds, InstanceID: "docs-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	results := make(chan functions.Result)
	sch, err := scheduler.New(scheduler.Options{Store: store, Catalogue: catalogue.WithConnectors(registry, nil, "test"),
		Dispatcher: handlerDispatcher{h: h, results: results}, WorkerID: "docs-test:8083"})
	if err != nil {
		t.Fatal(err)
	}
	api := sch.Handler()

	// The declaration in examplesink.Config is what /config/validate reports.
	// The declaration in examplesink.Config and its Check are what
	// /config/validate reports, with no code in the scheduler.
	for body, want := range map[string]string{
		`{"connector.class":"DirectorySink","topics":"orders"}`:                                         `Missing required configuration \"directory\"`,
		`{"connector.class":"DirectorySink","topics":"orders","directory":"/d","file.extension":"a/b"}`: "must not contain a path separator",
	} {
		if got := call(t, api, "PUT", "/connector-plugins/DirectorySink/config/validate", body, http.StatusOK); !strings.Contains(got, want) {
			t.Errorf("validate %s: answer lacks %q: %s", body, want, got)
		}
	}

	dir := filepath.Join(t.TempDir(), "out")
	call(t, api, "POST", "/connectors", `{"name":"orders-dir","config":{
		"connector.class":"com.example.ferry.DirectorySinkConnector","topics":"orders","tasks.max":"2",
		"directory":"`+dir+`","key.converter":"org.apache.kafka.connect.storage.StringConverter",
		"value.converter":"org.apache.kafka.connect.storage.StringConverter"}}`, http.StatusCreated)

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- sch.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("scheduler: %v", err)
		}
	}()
	written := int64(0)
	for written < 4 {
		select {
		case res := <-results:
			if res.State != functions.StateRunning {
				t.Fatalf("invocation %s ended %s: %s", res.ID, res.State, res.Trace)
			}
			written += res.Written
		case <-ctx.Done():
			t.Fatalf("only %d of 4 records written before the deadline", written)
		}
	}

	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		data, _ := os.ReadFile(filepath.Join(dir, f.Name()))
		got = append(got, string(data))
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("files hold %q, want one file for each of a, b, c, d", got)
	}
	committed := groupOffsets(ctx, t, seeds, "connect-orders-dir")
	if committed != 4 {
		t.Errorf("consumer group connect-orders-dir committed %d records, want 4", committed)
	}
	status := call(t, api, "GET", "/connectors/orders-dir/status", "", http.StatusOK)
	if !strings.Contains(status, `"type":"sink"`) || !strings.Contains(status, `"state":"RUNNING"`) {
		t.Errorf("status = %s, want a RUNNING sink", status)
	}
}

// produce writes one record per value, keyed by the value, to topic.
func produce(ctx context.Context, t *testing.T, seeds []string, topic string, values ...string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, v := range values {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Key: []byte(v), Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

// groupOffsets sums the committed offsets of a consumer group.
func groupOffsets(ctx context.Context, t *testing.T, seeds []string, group string) int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	offsets, err := kadm.NewClient(cl).FetchOffsets(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	offsets.Each(func(o kadm.OffsetResponse) { sum += o.At })
	return sum
}

// call sends one REST request to the scheduler and checks its status code.
func call(t *testing.T, api http.Handler, method, path, body string, want int) string {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	if rec.Code != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, rec.Code, rec.Body, want)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s %s answered invalid JSON: %s", method, path, rec.Body)
	}
	return rec.Body.String()
}
