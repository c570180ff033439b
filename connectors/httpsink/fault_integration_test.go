//go:build integration

package httpsink_test

import (
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/httpsink"
	"github.com/ferryhq/ferry/functions/sinktest"
)

// fault is a Fault for the sink posting topic's records ({"i":n}) in JSON
// array batches to url, counted by a.
func fault(r *sinktest.Rig, a *api, url, name string) *sinktest.Fault {
	topic := r.Topic(name, 1)
	return &sinktest.Fault{R: r, Name: name + "-" + topic,
		Cfg:  config(topic, url, "batch.max.size", "100", "max.retries", "2", "retry.backoff.ms", "50"),
		Feed: func(from, n int) error { return r.TryProduce(topic, 1, from, n, record) },
		Seen: func() map[int]int {
			a.mu.Lock()
			defer a.mu.Unlock()
			out := make(map[int]int, len(a.got))
			for i, c := range a.got {
				out[i] = c
			}
			return out
		}}
}

// The worker running the sink is killed (kill -9) while records still
// arrive: nothing lost; batches posted again (their offsets not yet
// committed) are counted as duplicates.
func TestHTTPSinkWorkerKilled(t *testing.T) {
	if sinktest.AsChild(t, func(t *testing.T) {
		sinktest.WorkLoop(t, sinktest.New(t, "http-fault", httpsink.Plugin()))
	}) {
		return
	}
	r := sinktest.New(t, "http-fault", httpsink.Plugin())
	a := newAPI(t, func(*http.Request) int { return 0 })
	fault(r, a, a.srv.URL, "http-kill").KillWorker(t, "kill -9 worker mid-stream: Kafka->HTTP sink", 2000, false)
}

// The API server is shut down for 30 s (its port refuses connections)
// while records still arrive: the invocations are RETRYING naming the
// refused connection, resume when it listens again on the same port, and
// nothing is lost.
func TestHTTPSinkServerDown30s(t *testing.T) {
	r := sinktest.New(t, "http-fault", httpsink.Plugin())
	a := newAPI(t, func(*http.Request) int { return 0 })
	a.srv.Close() // its handler serves on a port the test can close and open again
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	var srv *http.Server
	serve := func(l net.Listener) {
		srv = &http.Server{Handler: a.srv.Config.Handler, ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(l)
	}
	serve(l)
	t.Cleanup(func() { srv.Close() })
	stop := func() { srv.Close() }
	start := func() {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("listening again on %s: %v", addr, err)
		}
		serve(l)
	}
	fault(r, a, "http://"+addr+"/in", "http-down").Outage(t, "HTTP server down 30 s mid-stream: Kafka->HTTP sink", 2000, 30*time.Second,
		stop, start, "connection refused")
}
