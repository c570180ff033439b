//go:build integration

package docs_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestFollowWritingAndBuilding follows writing-connector.md,
// writing-transform.md and building.md from a clean directory, as a reader
// would with a ferry checkout and no network: each module is created with
// go mod init and a replace directive to the checkout (the pages' local
// alternative to go get), its files are the pages' blocks, and its go test
// runs (the conformance suite for the connector); then a ferry built from
// the checkout runs `ferry build` with both modules, and the custom ferry
// runs the page's greeting.json against Kafka and `transforms apply`. The
// one change to the pages' commands: the topic is made unique.
func TestFollowWritingAndBuilding(t *testing.T) {
	bootstrap := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if bootstrap == "" {
		t.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka)\"`")
	}
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "")
	t.Setenv("GOWORK", "off")
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	work := t.TempDir()
	start := time.Now()

	// writing-connector.md and writing-transform.md, steps 1 to 5 (6).
	for page, module := range map[string]string{"writing-connector.md": "greeting", "writing-transform.md": "upper"} {
		dir := filepath.Join(work, "ferry-"+module)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		run(ctx, t, dir, "go", "mod", "init", "example.com/ferry-"+module)
		run(ctx, t, dir, "go", "mod", "edit", "-replace", "github.com/ferryhq/ferry="+root)
		for name, body := range pageFiles(t, page, "go") {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		run(ctx, t, dir, "go", "mod", "tidy")
		if out := run(ctx, t, dir, "go", "test", "-count=1", "-v", "./..."); !strings.Contains(out, "PASS") {
			t.Fatalf("%s: go test of the module:\n%s", page, out)
		}
	}
	t.Logf("modules written and tested in %v", time.Since(start))

	// building.md, step 2: the ferry command from the checkout, then ferry build.
	ferry := filepath.Join(work, "ferry")
	run(ctx, t, root, "go", "build", "-o", ferry, ".")
	custom := filepath.Join(work, "ferry-custom")
	run(ctx, t, work, ferry, "build", "--ferry", root,
		"--with", "example.com/ferry-greeting="+filepath.Join(work, "ferry-greeting"),
		"--with", "example.com/ferry-upper="+filepath.Join(work, "ferry-upper"), "-o", custom)
	t.Logf("ferry and the custom ferry built after %v", time.Since(start))

	// writing-transform.md, step 5: transforms apply offline.
	smt := filepath.Join(work, "smt.json")
	if err := os.WriteFile(smt, []byte(`{"transforms":"up","transforms.up.type":"com.example.ferry.Upper$Value"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	apply := exec.CommandContext(ctx, custom, "transforms", "apply", "--config", smt)
	apply.Stdin = strings.NewReader(`{"topic":"t","value":"hello"}` + "\n")
	if out, err := apply.CombinedOutput(); err != nil || !strings.Contains(string(out), `"value":"HELLO"`) {
		t.Fatalf("transforms apply: %v\n%s", err, out)
	}

	// writing-connector.md step 7 and building.md step 4: standalone with greeting.json.
	topic := fmt.Sprintf("greetings-%d", time.Now().UnixNano())
	conn := strings.Replace(pageFiles(t, "writing-connector.md", "json")["greeting.json"], `"topic": "greetings"`, `"topic": "`+topic+`"`, 1)
	connFile := filepath.Join(work, "greeting.json")
	if err := os.WriteFile(connFile, []byte(conn), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.CommandContext(ctx, custom, "standalone", "--bootstrap-servers", bootstrap, "--listeners", "http://127.0.0.1:"+port,
		"--data-dir", filepath.Join(work, "data"), "--log-level", "warn", connFile)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if plugins := getUntil200(ctx, t, "http://127.0.0.1:"+port+"/connector-plugins"); !strings.Contains(plugins, "com.example.ferry.GreetingSourceConnector") {
		t.Errorf("/connector-plugins lacks the greeting source: %s", plugins)
	}
	want := []string{"HELLO 0", "HELLO 1", "HELLO 2", "HELLO 3", "HELLO 4"}
	if got := readValues(ctx, t, bootstrap, topic, len(want)); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("topic %s holds %q, want %q", topic, got, want)
	}
	t.Logf("followed in %v", time.Since(start))
}

// run runs a command in dir and returns its output; a failure fails the test.
func run(ctx context.Context, t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// getUntil200 asks url until it answers 200 (the process is starting).
func getUntil200(ctx context.Context, t *testing.T, url string) string {
	t.Helper()
	for {
		if resp, err := http.Get(url); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return string(body)
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("GET %s: no answer before the deadline", url)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// readValues reads n record values of topic from the start.
func readValues(ctx context.Context, t *testing.T, bootstrap, topic string, n int) []string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []string
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d records of %s before the deadline: %q", len(out), n, topic, out)
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, string(r.Value)) })
	}
	return out
}
