package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/state/connectfile"
	"github.com/ferryhq/ferry/state/file"
)

func TestCutFlag(t *testing.T) {
	tests := []struct {
		args      []string
		value     string
		rest      []string
		wantError bool
	}{
		{args: []string{"--rest", "http://x", "w.properties"}, value: "http://x", rest: []string{"w.properties"}},
		{args: []string{"w.properties", "--rest=http://y"}, value: "http://y", rest: []string{"w.properties"}},
		{args: []string{"-rest", "http://z", "--state", "file:d"}, value: "http://z", rest: []string{"--state", "file:d"}},
		{args: []string{"--restless", "1"}, rest: []string{"--restless", "1"}},
		{args: []string{"--rest"}, wantError: true},
	}
	for _, tt := range tests {
		value, rest, err := cutFlag(tt.args, "rest")
		if (err != nil) != tt.wantError || value != tt.value || !slices.Equal(rest, tt.rest) {
			t.Errorf("cutFlag(%q) = %q, %q, %v; want %q, %q, error %v", tt.args, value, rest, err, tt.value, tt.rest, tt.wantError)
		}
	}
}

// fakeKafkaConnect answers the two REST calls the plan makes as Kafka Connect 4.1 does.
func fakeKafkaConnect(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/connectors":
			fmt.Fprint(w, `{"files":{"status":{"name":"files","connector":{"state":"RUNNING","worker_id":"127.0.0.1:8083"},"tasks":[],"type":"source"},`+
				`"info":{"name":"files","config":{"connector.class":"org.apache.kafka.connect.file.FileStreamSourceConnector","file":"/in.txt","topic":"t","name":"files","fle":"typo","transforms":"x","transforms.x.type":"com.example.MySMT"},"tasks":[],"type":"source"}},`+
				`"mystery":{"status":{"name":"mystery","connector":{"state":"RUNNING","worker_id":"127.0.0.1:8083"},"tasks":[],"type":"source"},`+
				`"info":{"name":"mystery","config":{"connector.class":"com.acme.MysterySource","name":"mystery"},"tasks":[],"type":"source"}}}`)
		case "/connectors/files/offsets":
			fmt.Fprint(w, `{"offsets":[{"partition":{"filename":"/in.txt"},"offset":{"position":9007199254740993}}]}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error_code":404,"message":"Connector %s not found"}`, strings.Split(r.URL.Path, "/")[2])
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestMigratePlanREST(t *testing.T) {
	srv := fakeKafkaConnect(t)
	var out strings.Builder
	if err := runMigrate(context.Background(), []string{"plan", "--rest", srv.URL}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"2 connector(s) in Kafka Connect at " + srv.URL,
		"class:   ferry has it (org.apache.kafka.connect.file.FileStreamSourceConnector)",
		"ignored: fle: no declaration",
		"refused: transforms.x.type: ",
		"com.example.MySMT",
		"differs: file: Source filename. ferry requires it",
		`{"filename":"/in.txt"} -> {"position":9007199254740993}`,
		`ferry has no class "com.acme.MysterySource": it will show FAILED naming the class`,
		"offsets: unknown: GET /connectors/mystery/offsets: 404 Not Found: Connector mystery not found",
		"2 connector(s) are reported RUNNING by Kafka Connect: stop every Kafka Connect worker",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, out.String())
		}
	}
}

func TestMigratePlanNeedsTopics(t *testing.T) {
	w := filepath.Join(t.TempDir(), "w.properties")
	os.WriteFile(w, []byte("bootstrap.servers=127.0.0.1:1\noffset.storage.topic=o\n"), 0o644)
	err := runMigrate(context.Background(), []string{"plan", w}, new(strings.Builder))
	if err == nil || !strings.Contains(err.Error(), "config.storage.topic") {
		t.Fatalf("plan without config.storage.topic = %v, want an error naming it", err)
	}
}

func TestMigrateStandalone(t *testing.T) {
	dir := t.TempDir()
	spec := "file:" + filepath.Join(dir, "state")
	var out strings.Builder
	err := runMigrate(context.Background(), []string{"standalone", "--offsets", "state/connectfile/testdata/two-connectors.offsets", "--state", spec}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "imported the offsets of 2 connector(s)") {
		t.Fatalf("output:\n%s", out.String())
	}
	store, err := file.Open(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for name, pos := range map[string]int64{"file-a": 17, "file-b": 8} {
		got, err := store.ReadOffsets(context.Background(), name)
		if err != nil || len(got) != 1 || got[0].Offset["position"] != pos {
			t.Fatalf("offsets of %s = %v, %v; want position %d", name, got, err, pos)
		}
	}
}

func TestMigrateStandaloneBadFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "connect.offsets")
	os.WriteFile(bad, []byte("file-a=17\n"), 0o644)
	err := runMigrate(context.Background(), []string{"standalone", "--offsets", bad, "--state", "file:" + filepath.Join(dir, "state")}, new(strings.Builder))
	if !errors.Is(err, connectfile.ErrFormat) || !strings.Contains(err.Error(), bad) {
		t.Fatalf("import of a text file = %v, want ErrFormat naming the file", err)
	}
	if err := runMigrate(context.Background(), []string{"standalone"}, new(strings.Builder)); err == nil || !strings.Contains(err.Error(), "--offsets FILE") {
		t.Fatalf("import without --offsets = %v, want an error saying to give it", err)
	}
}

func TestMigrateHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"plan", "--help"}, {"standalone", "-h"}} {
		var out strings.Builder
		if err := runMigrate(context.Background(), args, &out); err != nil || !strings.Contains(out.String(), "ferry migrate standalone --offsets FILE") {
			t.Errorf("ferry migrate %v = %v:\n%s", args, err, out.String())
		}
	}
}
