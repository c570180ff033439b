package scheduler

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/scheduler/console"
)

// TestConsoleRoutes checks that the web console is served from the REST
// API's handler (so behind its authentication) with a strict
// Content-Security-Policy, and that unknown assets are 404s.
func TestConsoleRoutes(t *testing.T) {
	h := newTestScheduler(t, newFakeStore(), nil).Handler()
	tests := []struct {
		path, wantType, wantBody string
		code                     int
	}{
		{"/ui", "", "", 301},
		{"/ui/", "text/html; charset=utf-8", `<script type="module" src="app.js">`, 200},
		{"/ui/app.js", "text/javascript; charset=utf-8", "import", 200},
		{"/ui/console.css", "text/css; charset=utf-8", ":root", 200},
		{"/ui/api/overview", "application/json", `"connectors":[]`, 200},
		{"/ui/missing.js", "", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			code, body, hdr := call(t, h, "GET", tt.path, "")
			if code != tt.code {
				t.Fatalf("GET %s = %d, want %d: %s", tt.path, code, tt.code, body)
			}
			if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self';") {
				t.Errorf("Content-Security-Policy = %q, want default-src 'none' and script-src 'self'", csp)
			}
			if tt.wantType != "" && hdr.Get("Content-Type") != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", hdr.Get("Content-Type"), tt.wantType)
			}
			if !strings.Contains(body, tt.wantBody) {
				t.Errorf("body does not contain %q:\n%.300s", tt.wantBody, body)
			}
		})
	}
}

// TestConsoleOverviewMasksSecrets checks the overview: status and tasks of
// each connector, secret-looking values "[hidden]", placeholders shown.
func TestConsoleOverviewMasksSecrets(t *testing.T) {
	h := newTestScheduler(t, newFakeStore(), nil).Handler()
	if code, body, _ := call(t, h, "POST", "/connectors", secretBody); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	_, body, _ := call(t, h, "GET", "/ui/api/overview", "")
	if strings.Contains(body, "hunter2") {
		t.Fatalf("the overview shows a password:\n%s", body)
	}
	var ov console.Overview
	if err := json.Unmarshal([]byte(body), &ov); err != nil {
		t.Fatal(err)
	}
	if len(ov.Connectors) != 1 {
		t.Fatalf("got %d connectors, want 1: %s", len(ov.Connectors), body)
	}
	c := ov.Connectors[0]
	want := map[string]string{"connection.password": "[hidden]", "db.token": "${file:/etc/ferry/db.properties:token}", "tables": "t1"}
	for k, v := range want {
		if c.Config[k] != v {
			t.Errorf("config[%s] = %q, want %q", k, c.Config[k], v)
		}
	}
	if c.Name != "vault" || c.Type != "source" || c.State != "RUNNING" || c.WorkerID != "sched:8083" {
		t.Errorf("connector = %+v", c)
	}
}
