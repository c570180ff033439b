package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/state/file"
	"github.com/ferryhq/ferry/transforms/catalogue"
)

// benchConnectors is the size of the in-process control-plane benchmarks:
// 2,000, or FERRY_SCALE_CONNECTORS. They run the scheduler over the file
// store with an idle dispatcher and no NATS, so CPU and allocation profiles
// (-cpuprofile, -memprofile) show the control plane alone;
// BenchmarkControlPlane in package main measures the whole process.
func benchConnectors() int {
	if n, err := strconv.Atoi(os.Getenv("FERRY_SCALE_CONNECTORS")); err == nil && n > 0 {
		return n
	}
	return 2000
}

// benchScheduler returns a running scheduler over a fresh file store
// holding n idle connectors.
func benchScheduler(b *testing.B, n int) *Scheduler {
	store, err := file.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{Store: store, Catalogue: testCatalogue{catalogue.WithConnectors(testRegistry(), nil, "4.0.0")},
		Dispatcher: nopDispatcher{}, WorkerID: "sched:8083", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done; store.Close() })
	for i := range n {
		create(b, s, i)
	}
	return s
}

func create(b *testing.B, s *Scheduler, i int) {
	body := fmt.Sprintf(`{"name":"c%05d","config":{"connector.class":"TestSource","tables":"t"}}`, i)
	req := httptest.NewRequest("POST", "/connectors", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != 201 {
		b.Fatalf("create c%05d: %d %s", i, rec.Code, rec.Body)
	}
}

// BenchmarkCreateConnector creates connectors next to benchConnectors()
// existing ones.
func BenchmarkCreateConnector(b *testing.B) {
	n := benchConnectors()
	s := benchScheduler(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		create(b, s, n+i)
	}
}

// BenchmarkListStatus is GET /connectors?expand=status over benchConnectors().
func BenchmarkListStatus(b *testing.B) {
	s := benchScheduler(b, benchConnectors())
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/connectors?expand=status", nil))
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}
