package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Issue 11 item 15: flags after a positional argument are honoured.
func TestFlagsAfterPositional(t *testing.T) {
	dir := t.TempDir()
	conn := filepath.Join(dir, "conn.json")
	if err := os.WriteFile(conn, []byte(`{"name":"a","config":{"connector.class":"FileStreamSource"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	p := testProc(t, "bootstrap.servers=file:9092\n", conn, "--data-dir", filepath.Join(dir, "x"), "--bootstrap-servers", "flag:9092")
	if p.DataDir != filepath.Join(dir, "x") || !reflect.DeepEqual(p.BootstrapServers, []string{"flag:9092"}) || !reflect.DeepEqual(p.Args, []string{conn}) {
		t.Errorf("data dir %q bootstrap %v args %v", p.DataDir, p.BootstrapServers, p.Args)
	}
	if _, err := load(context.Background(), "scheduler", []string{conn}, false); err == nil {
		t.Error("scheduler accepted a connector file argument")
	}
}

// Issue 11 item 20: connector .json files take unquoted numbers and booleans
// as the REST API does.
func TestReadConnectorFileScalars(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"wrapped.json": `{"name":"gen","config":{"connector.class":"DatagenConnector","tasks.max":2,"iterations":1000,"schemas.enable":false}}`,
		"flat.json":    `{"name":"gen","connector.class":"DatagenConnector","tasks.max":2,"iterations":1000,"schemas.enable":false}`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := readConnectorFile(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := map[string]string{"name": "gen", "connector.class": "DatagenConnector", "tasks.max": "2", "iterations": "1000", "schemas.enable": "false"}
		if !reflect.DeepEqual(cfg, want) {
			t.Errorf("%s: %v, want %v", name, cfg, want)
		}
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"name":"x","config":{"tasks.max":null}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readConnectorFile(bad); err == nil {
		t.Error("a null value was accepted")
	}
}

// Issue 11 item 16: a second development broker takes a free port when the
// default one is taken.
func TestDevBrokerTakesFreePortWhenDefaultTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:19092")
	if err == nil { // else another process holds it, which is the case under test too
		defer ln.Close()
	}
	c, err := startDevBroker(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addrs := c.ListenAddrs()
	if len(addrs) != 1 || addrs[0] == "127.0.0.1:19092" {
		t.Fatalf("listen addrs %v", addrs)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.Ping(context.Background()); err != nil {
		t.Fatalf("broker on %v does not answer: %v", addrs, err)
	}
}

// Every goroutine ferry standalone starts (local functions, REST server,
// embedded NATS, development broker) is stopped and waited for when its
// context ends: after runStandalone returns, the goroutine count is back.
func TestStandaloneJoinsItsGoroutines(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"gen.json": `{"name":"gen","config":{"connector.class":"DatagenConnector","kafka.topic":"orders","quickstart":"orders","iterations":20,"max.interval":0,"tasks.max":1}}`,
	}
	args := []string{"--data-dir", filepath.Join(dir, "data"), "--listeners", "http://127.0.0.1:0", "--log-level", "error"}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	before, start := runtime.NumGoroutine(), time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runStandalone(ctx, args) }()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if committed(filepath.Join(dir, "data", "state"), `"current.iteration":20`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the datagen task committed no offsets within 30s")
		}
	}
	t.Logf("offsets committed after %v", time.Since(start))
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped after %v", time.Since(start))
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > before; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left running (before: %d):\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
	}
}

// committed reports whether a file of the standalone state directory holds want.
func committed(stateDir, want string) bool {
	ents, _ := os.ReadDir(stateDir)
	for _, e := range ents {
		if b, _ := os.ReadFile(filepath.Join(stateDir, e.Name())); bytes.Contains(b, []byte(want)) {
			return true
		}
	}
	return false
}
