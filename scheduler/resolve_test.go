package scheduler

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/catalogue"
)

const passwordRef = "${file:/etc/ferry/db.properties:password}"

// dbSource needs its password resolved to split, as the JDBC source connects
// to the database; with deriveURL it also builds a task key from it.
type dbSource struct{ deriveURL bool }

func (c dbSource) TaskConfigs(ctx context.Context, props map[string]string, _ int) ([]map[string]string, error) {
	if props["connection.password"] != "s3cret" {
		return nil, errors.New("login failed for password " + props["connection.password"])
	}
	t := map[string]string{"connection.password": props["connection.password"], "table": "a"}
	if c.deriveURL {
		t["connection.url"] = "db://u:" + props["connection.password"] + "@host"
	}
	return []map[string]string{t}, nil
}

// TestSplitResolvesPlaceholders checks that the task split sees placeholders
// resolved by the worker's providers, while the stored and returned task
// configs keep them (regression: a JDBC source whose connection.password is
// ${file:...} went FAILED at the split, given the raw passwordRef).
func TestSplitResolvesPlaceholders(t *testing.T) {
	store := newFakeStore()
	reg := connectors.NewRegistry(
		connectors.Plugin{Class: "com.example.DbSourceConnector", Type: connectors.TypeSource,
			NewConnector: func() connectors.Connector { return dbSource{} }},
		connectors.Plugin{Class: "com.example.LeakySourceConnector", Type: connectors.TypeSource,
			NewConnector: func() connectors.Connector { return dbSource{deriveURL: true} }})
	s, err := New(Options{Store: store, Catalogue: catalogue.WithConnectors(reg, nil, ""), Dispatcher: nopDispatcher{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Resolve: func(_ context.Context, c map[string]string) (map[string]string, error) {
			for k, v := range c {
				c[k] = strings.ReplaceAll(v, passwordRef, "s3cret")
			}
			return c, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	cfg := `{"connector.class":"DbSource","connection.password":"` + passwordRef + `"}`
	if code, body, _ := call(t, h, "PUT", "/connectors/db/config", cfg); code != http.StatusCreated || strings.Contains(body, "s3cret") {
		t.Fatalf("create: %d %s", code, body)
	}
	for _, path := range []string{"/connectors/db/status", "/connectors/db/tasks", "/connectors/db/config", "/connectors/db"} {
		code, body, _ := call(t, h, "GET", path, "")
		if code != http.StatusOK || strings.Contains(body, "s3cret") || strings.Contains(body, "FAILED") {
			t.Errorf("GET %s: %d %s", path, code, body)
		}
	}
	if _, body, _ := call(t, h, "GET", "/connectors/db/tasks", ""); !strings.Contains(body, `"connection.password":"`+passwordRef+`"`) {
		t.Errorf("task config lost its passwordRef: %s", body)
	}
	rec, err := store.Connector(context.Background(), "db")
	if err != nil || len(rec.Tasks) != 1 || rec.Tasks[0]["connection.password"] != passwordRef {
		t.Errorf("stored tasks %v, %v", rec.Tasks, err)
	}

	call(t, h, "PUT", "/connectors/leaky/config", `{"connector.class":"LeakySource","connection.password":"`+passwordRef+`"}`)
	_, body, _ := call(t, h, "GET", "/connectors/leaky/status", "")
	if !strings.Contains(body, "FAILED") || !strings.Contains(body, "connection.url holds the resolved value of connection.password") ||
		strings.Contains(body, "s3cret") {
		t.Errorf("leaky split: %s", body)
	}
	if rec, _ := store.Connector(context.Background(), "leaky"); len(rec.Tasks) != 0 {
		t.Errorf("leaky tasks stored: %v", rec.Tasks)
	}
}

// TestSplitErrorHidesResolvedSecret checks that a split failure whose message
// holds a resolved value (a driver echoing the password it was given) shows
// in the connector's status with the value hidden (issue 11 item 5).
func TestSplitErrorHidesResolvedSecret(t *testing.T) {
	reg := connectors.NewRegistry(connectors.Plugin{Class: "com.example.DbSourceConnector", Type: connectors.TypeSource,
		NewConnector: func() connectors.Connector { return dbSource{} }})
	s, err := New(Options{Store: newFakeStore(), Catalogue: catalogue.WithConnectors(reg, nil, ""), Dispatcher: nopDispatcher{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Resolve: func(_ context.Context, c map[string]string) (map[string]string, error) {
			for k, v := range c {
				c[k] = strings.ReplaceAll(v, passwordRef, "wrong-pass")
			}
			return c, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	call(t, h, "PUT", "/connectors/db/config", `{"connector.class":"DbSource","connection.password":"`+passwordRef+`"}`)
	_, body, _ := call(t, h, "GET", "/connectors/db/status", "")
	if !strings.Contains(body, "FAILED") || !strings.Contains(body, "login failed for password [hidden]") || strings.Contains(body, "wrong-pass") {
		t.Errorf("status: %s", body)
	}
}
