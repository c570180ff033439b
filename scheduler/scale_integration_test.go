//go:build integration

package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/file"
	"github.com/ferryhq/ferry/state/redis"
	"github.com/ferryhq/ferry/transforms/catalogue"
)

// scaleConnectors is the size of the scale test; BenchmarkControlPlane (in
// package main) measures the same scenario at 10,000.
const scaleConnectors = 300

// TestScale runs 300 idle connectors (one task each, every tenth a sink) on
// one scheduler over the file store and over Redis, and asserts behaviour
// only, never timings: every status is answered, no task ever has two
// invocations at once, deleting them all completes and leaves nothing, and
// the scheduler leaks no goroutine.
func TestScale(t *testing.T) {
	stores := map[string]func(t *testing.T) state.Store{
		"file": func(t *testing.T) state.Store {
			s, err := file.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"redis": func(t *testing.T) state.Store {
			url := os.Getenv("REDIS_URL")
			if url == "" {
				t.Fatal("REDIS_URL is not set: run `eval \"$(localstack/up redis)\"`")
			}
			o, err := goredis.ParseURL(url)
			if err != nil {
				t.Fatalf("REDIS_URL: %v", err)
			}
			prefix := fmt.Sprintf("ferry-scaletest-%d-%d:", os.Getpid(), time.Now().UnixNano())
			c := goredis.NewClient(o)
			t.Cleanup(func() { dropPrefix(t, c, prefix); c.Close() })
			return redis.New(c, redis.Options{Prefix: prefix})
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) { runScale(t, open(t)) })
	}
}

func runScale(t *testing.T, store state.Store) {
	before := runtime.NumGoroutine()
	d := newFakeDispatcher(func(inv wire.Invocation) (wire.Result, error) {
		return wire.Result{ID: inv.ID, Epoch: inv.Epoch, State: wire.StateRunning, InstanceID: "w"}, nil
	})
	s, err := New(Options{Store: store, Catalogue: testCatalogue{catalogue.WithConnectors(testRegistry(), nil, "4.0.0")},
		Dispatcher: d, WorkerID: "sched:8083", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()

	names := make([]string, scaleConnectors)
	for i := range names {
		names[i] = fmt.Sprintf("scale-%03d", i)
	}
	inParallel(8, names, func(name string) {
		body := `{"name":"` + name + `","config":{"connector.class":"TestSource","tables":"t"}}`
		if name[len(name)-1] == '9' {
			body = `{"name":"` + name + `","config":{"connector.class":"FileStreamSink","topics":"t","file":"/dev/null"}}`
		}
		if code, out, _ := call(t, h, "POST", "/connectors", body); code != 201 {
			t.Errorf("creating %s: %d %s", name, code, out)
		}
	})
	eventually(t, "every connector's task RUNNING in GET /connectors?expand=status", func() bool {
		return runningTasks(t, h) == scaleConnectors
	})
	for _, name := range names {
		code, out, _ := call(t, h, "GET", "/connectors/"+name+"/status", "")
		if code != 200 {
			t.Fatalf("GET /connectors/%s/status: %d %s", name, code, out)
		}
	}
	inParallel(8, names, func(name string) {
		if code, out, _ := call(t, h, "DELETE", "/connectors/"+name, ""); code != 204 {
			t.Errorf("deleting %s: %d %s", name, code, out)
		}
	})
	if code, out, _ := call(t, h, "GET", "/connectors", ""); code != 200 || out != "[]" {
		t.Fatalf("GET /connectors after deleting all: %d %s", code, out)
	}
	for _, name := range names[:10] {
		if st, err := store.TaskStatuses(context.Background(), name); err != nil || len(st) != 0 {
			t.Fatalf("statuses of deleted %s: %+v, %v", name, st, err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	maxPerTask, dup := d.maxPerTask, d.dupIDs
	d.mu.Unlock()
	if maxPerTask != 1 || dup != 0 {
		t.Errorf("at most %d invocations of one task at once, %d duplicate ids; want 1 and 0", maxPerTask, dup)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the scheduler's goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

// runningTasks counts the connectors whose one task shows RUNNING.
func runningTasks(t *testing.T, h http.Handler) int {
	code, out, _ := call(t, h, "GET", "/connectors?expand=status", "")
	if code != 200 {
		t.Fatalf("GET /connectors?expand=status: %d %s", code, out)
	}
	var all map[string]struct {
		Status connectorStateInfo `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range all {
		if len(e.Status.Tasks) == 1 && e.Status.Tasks[0].State == string(state.StateRunning) {
			n++
		}
	}
	return n
}

// inParallel calls fn for every name on k goroutines and waits for them.
func inParallel(k int, names []string, fn func(string)) {
	var wg sync.WaitGroup
	next := make(chan string)
	for range k {
		wg.Go(func() {
			for name := range next {
				fn(name)
			}
		})
	}
	for _, name := range names {
		next <- name
	}
	close(next)
	wg.Wait()
}

func dropPrefix(t *testing.T, c *goredis.Client, prefix string) {
	ctx := context.Background()
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Errorf("clean up %s*: %v", prefix, err)
	}
}
