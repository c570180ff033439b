//go:build integration

package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/ferryhq/ferry/state/redis"
	"github.com/ferryhq/ferry/transforms/catalogue"
)

// Three schedulers, each with its own Redis connection, share 300
// connectors over 64 shards: each task is dispatched by exactly one, all
// three take part. One is killed (its Redis connection closed: it neither
// renews nor leaves): the other two pick its connectors up within the lease
// time, and no task ever runs on two schedulers at once. Behaviour only;
// the takeover time is printed, not asserted. BenchmarkControlPlane
// measures the single-scheduler figures at 10,000 connectors.
func TestShardedSchedulersRedis(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Fatal("REDIS_URL is not set: run `eval \"$(localstack/up redis)\"`")
	}
	opts, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	const ttl, conns = 2 * time.Second, scaleConnectors
	prefix := fmt.Sprintf("ferry-shardtest-%d-%d:", os.Getpid(), time.Now().UnixNano())
	log := &spanLog{spans: map[taskKey][]span{}}
	clients, scheds := map[string]*goredis.Client{}, map[string]*Scheduler{}
	for _, name := range []string{"a", "b", "c"} {
		c := goredis.NewClient(opts)
		clients[name] = c
		s, err := New(Options{Store: redis.New(c, redis.Options{Prefix: prefix}),
			Catalogue: testCatalogue{catalogue.WithConnectors(testRegistry(), nil, "4.0.0")}, Dispatcher: log.dispatcher(name),
			WorkerID: name + ":8083", Shards: 64, LeaseTTL: ttl, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		scheds[name] = s
	}
	t.Cleanup(func() {
		dropPrefix(t, clients["a"], prefix)
		for _, c := range clients {
			c.Close()
		}
	})
	names := make([]string, conns)
	for i := range names {
		names[i] = fmt.Sprintf("shard-%03d", i)
	}
	inParallel(8, names, func(name string) {
		body := `{"name":"` + name + `","config":{"connector.class":"TestSource","tables":"t"}}`
		if code, out, _ := call(t, scheds["a"].Handler(), "POST", "/connectors", body); code != 201 {
			t.Errorf("creating %s: %d %s", name, code, out)
		}
	})
	for name, s := range scheds {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run %s: %v", name, err)
			}
		})
	}
	waitUntil(t, time.Minute, "every task dispatched", func() bool { return len(log.since(time.Time{})) == conns })
	time.Sleep(ttl) // joins settle: the last to join took its shards from the others
	owner := ownersIn(t, log, 3*time.Second, conns)
	byOwner := map[string]int{}
	for _, o := range owner {
		byOwner[o]++
	}
	t.Logf("three schedulers: tasks per scheduler %v", byOwner)
	if len(byOwner) != 3 {
		t.Fatalf("tasks per scheduler %v: want all three to dispatch", byOwner)
	}

	killed := time.Now()
	clients["c"].Close()
	waitUntil(t, 5*ttl, "c's tasks dispatched by a or b", func() bool {
		moved := log.since(killed)
		for k, o := range owner {
			if o == "c" && len(moved[k]) == 0 {
				return false
			}
		}
		return true
	})
	t.Logf("c killed: its %d tasks picked up by a and b after %s (lease ttl %s)", byOwner["c"], time.Since(killed).Round(time.Millisecond), ttl)
	for k, o := range ownersIn(t, log, 3*time.Second, conns) {
		if o == "c" {
			t.Fatalf("task %v still dispatched by the killed scheduler", k)
		}
	}
	if err := log.overlaps(); err != nil {
		t.Fatal(err)
	}
}

// ownersIn watches for window and returns the one scheduler that dispatched
// each task in it; it fails if a task was missed or had two.
func ownersIn(t *testing.T, log *spanLog, window time.Duration, conns int) map[taskKey]string {
	t.Helper()
	from := time.Now()
	time.Sleep(window)
	got := log.since(from)
	if len(got) != conns {
		t.Fatalf("%d of %d tasks dispatched in %s", len(got), conns, window)
	}
	out := map[taskKey]string{}
	for k, s := range got {
		if len(s) != 1 {
			t.Fatalf("task %v dispatched by %v in one window", k, s)
		}
		out[k] = s[0]
	}
	return out
}

// waitUntil polls cond every 20ms until it holds or timeout passes.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
