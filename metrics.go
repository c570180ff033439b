package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ferryhq/ferry/scheduler/restsecurity"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// serveMetrics serves h on the --metrics-listeners address (host:port or
// http://host:port), none when it is empty; the returned func stops it and
// waits. The listener is plain HTTP without authentication, for Prometheus
// and Kubernetes probes on a private port.
func serveMetrics(_ context.Context, listeners string, h http.Handler, log *slog.Logger) (func(), error) {
	if listeners == "" {
		return func() {}, nil
	}
	addr, _, scheme, err := restsecurity.ListenAddr([]string{withScheme(listeners)})
	if err != nil {
		return nil, fmt.Errorf("--metrics-listeners: %w", err)
	}
	if scheme != "http" {
		return nil, fmt.Errorf("--metrics-listeners=%s: only http:// is served there; put TLS in front or scrape the REST listener's /metrics", listeners)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener %s: %w", listeners, err)
	}
	stop := serveHTTP(&http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, ln)
	log.Info("metrics listening", "url", "http://"+ln.Addr().String()+"/metrics")
	return stop, nil
}

func withScheme(l string) string {
	if len(l) > 0 && l[0] != 'h' {
		return "http://" + l
	}
	return l
}

// checker reports why a process cannot serve, or nil.
type checker func(ctx context.Context) error

// workerMux serves /metrics from reg, /health (the worker runs: 200 once
// it took its subscriptions, with NATS connected) and /ready (it can run
// invocations: also the state store and Kafka answer).
func workerMux(reg *prometheus.Registry, serving func() error, deps checker) http.Handler {
	m := http.NewServeMux()
	m.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	m.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		probe(w, serving())
	})
	m.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		err := serving()
		if err == nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			err = deps(ctx)
		}
		probe(w, err)
	})
	return m
}

// probe answers as Kafka Connect's GET /health does: 200 healthy, or 503
// with a message naming the cause.
func probe(w http.ResponseWriter, err error) {
	body := map[string]string{"status": "healthy", "message": "Worker has completed startup and is ready to handle requests."}
	code := http.StatusOK
	if err != nil {
		body = map[string]string{"status": "unhealthy", "message": err.Error()}
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// newWorkerRegistry is a registry with the Go runtime and process collectors.
func newWorkerRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// schedulerMux serves the scheduler's /metrics and /health without the REST
// API's authentication, on --metrics-listeners.
func schedulerMux(metrics, rest http.Handler) http.Handler {
	m := http.NewServeMux()
	m.Handle("GET /metrics", metrics)
	m.Handle("GET /health", rest)
	return m
}

// runHealth is `ferry health URL`: GET URL and exit 0 on 200, else print the
// answer and fail. Container health checks run it where no curl exists (the
// distroless image, ECS).
func runHealth(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: ferry health URL (for example http://127.0.0.1:9404/health)")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, args[0], nil)
	if err != nil {
		return fmt.Errorf("health URL %q: %w", args[0], err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health check %s: %s %s", args[0], resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
