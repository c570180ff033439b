// Package console is ferry's web console: a few static pages (HTML, CSS and
// vanilla JavaScript modules, embedded in the binary, no build step) served
// at /ui by the scheduler behind the REST API's authentication, plus one JSON
// endpoint, /ui/api/overview, that gathers what a refresh shows (status,
// masked configs and the metrics' per-task totals) in one request. Every
// action the page takes goes through the ordinary REST API, so it is
// audited like a curl call.
package console

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"time"
)

//go:embed assets
var assets embed.FS

// Overview is what one refresh of the console shows.
type Overview struct {
	// Time is when it was read (Unix ms): the sparklines' x axis.
	Time int64 `json:"time"`
	// Metrics is false when this scheduler has no task totals: metrics off
	// (--metrics=false) or another scheduler leads and runs the tasks.
	Metrics    bool        `json:"metrics"`
	Connectors []Connector `json:"connectors"`
}

// Connector is one connector as GET /connectors/{c}/status shows it, with
// its config (secret-looking values masked) and its tasks' totals.
type Connector struct {
	Name     string            `json:"name"`
	Type     string            `json:"type"`
	Class    string            `json:"class"`
	State    string            `json:"state"`
	WorkerID string            `json:"worker_id"`
	Trace    string            `json:"trace,omitempty"`
	Config   map[string]string `json:"config"`
	Tasks    []Task            `json:"tasks"`
}

// Task is one task's status and the metrics' totals for it.
type Task struct {
	ID       int    `json:"id"`
	State    string `json:"state"`
	WorkerID string `json:"worker_id"`
	Trace    string `json:"trace,omitempty"`
	// Read and Written are records polled/written (source) or read/sent
	// (sink) since this scheduler started leading.
	Read    int64 `json:"read"`
	Written int64 `json:"written"`
	// Errors are records that failed; DLQ and DLQFailures the records sent
	// to, and refused by, the dead-letter topic.
	Errors      int64 `json:"errors"`
	DLQ         int64 `json:"dlq"`
	DLQFailures int64 `json:"dlq_failures"`
	// Lag is a sink task's records not yet committed, over its partitions.
	Lag int64 `json:"lag"`
}

// Source reads the overview; the scheduler provides it.
type Source func(ctx context.Context) (Overview, error)

// overviewTimeout bounds the store reads behind one overview.
const overviewTimeout = 5 * time.Second

// csp lets the page load only its own scripts and styles and talk only to
// its own origin: no inline script, no eval, no third party, no framing.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

// Handler serves the console under /ui: the pages, and the overview read
// from src. Mount it on the same mux (and so behind the same
// authentication) as the REST API.
func Handler(src Source) http.Handler {
	files, _ := fs.Sub(assets, "assets") // a constant path: cannot fail
	static := http.StripPrefix("/ui/", http.FileServerFS(files))
	m := http.NewServeMux()
	m.Handle("GET /ui", http.RedirectHandler("/ui/", http.StatusMovedPermanently))
	m.Handle("GET /ui/", static)
	m.HandleFunc("GET /ui/api/overview", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), overviewTimeout)
		defer cancel()
		ov, err := src(ctx)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(map[string]any{"error_code": 500, "message": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(ov)
	})
	return secured(m)
}

// secured adds the headers every console answer carries.
func secured(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}
