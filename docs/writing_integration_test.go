//go:build integration

package docs_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/builder/buildtest"
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
	if out := buildtest.Apply(ctx, t, custom, `{"transforms":"up","transforms.up.type":"com.example.ferry.Upper$Value"}`,
		`{"topic":"t","value":"hello"}`); !strings.Contains(out, `"value":"HELLO"`) {
		t.Errorf("transforms apply with the page's SMT wrote %s", out)
	}

	// writing-connector.md step 7 and building.md step 4: standalone with greeting.json.
	topic := fmt.Sprintf("greetings-%d", time.Now().UnixNano())
	conn := strings.Replace(pageFiles(t, "writing-connector.md", "json")["greeting.json"], `"topic": "greetings"`, `"topic": "`+topic+`"`, 1)
	connFile := filepath.Join(work, "greeting.json")
	if err := os.WriteFile(connFile, []byte(conn), 0o644); err != nil {
		t.Fatal(err)
	}
	api := buildtest.Standalone(ctx, t, custom, bootstrap, connFile)
	if plugins := buildtest.Send(ctx, t, "GET", api+"/connector-plugins", "", 200); !strings.Contains(plugins, "com.example.ferry.GreetingSourceConnector") {
		t.Errorf("/connector-plugins lacks the greeting source: %s", plugins)
	}
	want := []string{"HELLO 0", "HELLO 1", "HELLO 2", "HELLO 3", "HELLO 4"}
	if got := buildtest.Values(ctx, t, bootstrap, topic, len(want)); strings.Join(got, ",") != strings.Join(want, ",") {
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
