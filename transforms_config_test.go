package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/scheduler"
	"github.com/ferryhq/ferry/state/open"
	"github.com/ferryhq/ferry/transforms/catalogue"
)

type idleDispatcher struct{}

func (idleDispatcher) Dispatch(_ context.Context, inv functions.Invocation) (functions.Result, error) {
	return functions.Result{ID: inv.ID, Epoch: inv.Epoch, State: functions.StateRunning}, nil
}

// TestTransformConfigErrors checks, through the REST API wired as the
// scheduler command wires it, that an unknown transformation or a bad
// transformation key is a 400 naming the full key, and an error on that key
// from /config/validate.
func TestTransformConfigErrors(t *testing.T) {
	store, err := open.Open(context.Background(), "file:"+filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := scheduler.New(scheduler.Options{Store: store, Catalogue: catalogue.New(nil, Version),
		Dispatcher: idleDispatcher{}, WorkerID: "test:8083",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	base := `"connector.class":"FileStreamSource","file":"/tmp/in.txt","topic":"t"`
	tests := []struct{ extra, key string }{
		{`"transforms":"mask","transforms.mask.type":"MaskField$Value"`, "transforms.mask.fields"},
		{`"transforms":"x","transforms.x.type":"org.example.Nope"`, "transforms.x.type"},
		{`"transforms":"c","transforms.c.type":"Cast$Value","transforms.c.spec":"a:bytes"`, "transforms.c.spec"},
		{`"transforms":"f","transforms.f.type":"Filter","transforms.f.predicate":"p","predicates":"p","predicates.p.type":"TopicNameMatches"`, "predicates.p.pattern"},
	}
	for _, tt := range tests {
		cfg := "{" + base + "," + tt.extra + "}"
		code, body := do(t, h, http.MethodPost, "/connectors", `{"name":"c1","config":`+cfg+`}`)
		if code != http.StatusBadRequest || !strings.Contains(body, tt.key) {
			t.Errorf("POST with %s: %d %s; want 400 naming %s", tt.extra, code, body, tt.key)
		}
		code, body = do(t, h, http.MethodPut, "/connector-plugins/FileStreamSource/config/validate", cfg)
		if code != http.StatusOK || !strings.Contains(body, `"name":"`+tt.key+`"`) || strings.Contains(body, `"error_count":0`) {
			t.Errorf("validate with %s: %d %s; want an error on %s", tt.extra, code, body, tt.key)
		}
	}
}

func do(t *testing.T, h http.Handler, method, path, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}
