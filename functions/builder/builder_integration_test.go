//go:build integration

package builder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/builder/buildtest"
)

// repoRoot is the ferry checkout the test builds against.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// example is a testdata module: example.com/ferry-<name> from testdata/<name>.
func example(t *testing.T, name string) Module {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Module{Path: "example.com/ferry-" + name, Dir: dir}
}

// offline is the environment of a build that must not reach the network:
// every module comes from a checkout or the module cache.
func offline(t *testing.T) {
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "")
}

// TestBuildRefusesModule: a module that does not build, has no Plugins()
// or registers nothing fails the build, naming the module and what is missing.
func TestBuildRefusesModule(t *testing.T) {
	offline(t)
	for _, tc := range []struct{ module, want string }{
		{"broken", "module example.com/ferry-broken does not build"},
		{"noplugins", "module example.com/ferry-noplugins registers nothing ferry can find: its package example.com/ferry-noplugins must export func Plugins() sdk.Bundle"},
		{"empty", "module example.com/ferry-empty registers nothing: its Plugins() returned an empty sdk.Bundle"},
	} {
		t.Run(tc.module, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			err := Build(ctx, Options{Ferry: Module{Dir: repoRoot(t)}, With: []Module{example(t, "upper"), example(t, tc.module)},
				Out: filepath.Join(t.TempDir(), "ferry")})
			if !errors.Is(err, ErrModule) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build = %v, want an ErrModule containing %q", err, tc.want)
			}
		})
	}
}

// TestBuildCustomFerry builds ferry with the example connector and SMT from
// their own modules (replace directives to checkouts, no network), runs it
// standalone against Kafka, and checks both appear in /connector-plugins,
// validate, and run a pipeline: greetings upper-cased on their way to Kafka.
// On a warm build cache the build takes seconds; on a cold one, minutes
// (every ferry dependency is compiled).
func TestBuildCustomFerry(t *testing.T) {
	bootstrap := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if bootstrap == "" {
		t.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka)\"`")
	}
	offline(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "ferry-custom")
	start := time.Now()
	if err := Build(ctx, Options{Ferry: Module{Dir: repoRoot(t)}, With: []Module{example(t, "greeting"), example(t, "upper")},
		Connectors: []string{"file"}, Out: bin}); err != nil {
		t.Fatal(err)
	}
	t.Logf("built in %v", time.Since(start))

	if out := buildtest.Apply(ctx, t, bin, `{"transforms":"up","transforms.up.type":"com.example.ferry.Upper$Value"}`,
		`{"topic":"t","value":"hello"}`); !strings.Contains(out, `"value":"HELLO"`) {
		t.Errorf("transforms apply with the module's SMT wrote %s", out)
	}

	api := buildtest.Standalone(ctx, t, bin, bootstrap)

	plugins := buildtest.Send(ctx, t, "GET", api+"/connector-plugins?connectorsOnly=false", "", 200)
	for _, want := range []string{`"class":"com.example.ferry.GreetingSourceConnector","type":"source","version":"local"`,
		`"class":"com.example.ferry.Upper$Value","type":"transformation","version":"local"`,
		`"class":"org.apache.kafka.connect.file.FileStreamSinkConnector"`} {
		if !strings.Contains(plugins, want) {
			t.Errorf("/connector-plugins lacks %s: %s", want, plugins)
		}
	}
	if strings.Contains(plugins, "DatagenConnector") {
		t.Errorf("--connectors file kept datagen: %s", plugins)
	}
	validate := buildtest.Send(ctx, t, "PUT", api+"/connector-plugins/GreetingSource/config/validate",
		`{"connector.class":"GreetingSource","name":"g","topic":"t","count":"0","transforms":"up","transforms.up.type":"com.example.ferry.Upper$Value","transforms.up.locale":"fr"}`, 200)
	for _, want := range []string{`"error_count":2`, `Value must be at least 1`, `"name":"transforms.up.locale"`} {
		if !strings.Contains(validate, want) {
			t.Errorf("validate lacks %s: %s", want, validate)
		}
	}

	topic := fmt.Sprintf("greetings-%d", time.Now().UnixNano())
	buildtest.Send(ctx, t, "POST", api+"/connectors", `{"name":"greet","config":{"connector.class":"GreetingSource","topic":"`+topic+`",
		"count":"5","greeting":"hello","transforms":"up","transforms.up.type":"com.example.ferry.Upper$Value",
		"value.converter":"org.apache.kafka.connect.storage.StringConverter","key.converter":"org.apache.kafka.connect.storage.StringConverter"}}`, 201)
	got := buildtest.Values(ctx, t, bootstrap, topic, 5)
	for i, v := range got {
		if want := fmt.Sprintf("HELLO %d", i); v != want {
			t.Errorf("record %d = %q, want %q", i, v, want)
		}
	}
}
