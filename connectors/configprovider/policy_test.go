package configprovider

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConnectorProvidersNeverWiden checks that a connector config cannot
// weaken the worker's config providers (regression: a connector re-declaring
// allowed.paths="" and adding an env provider read any file and any
// environment variable of the function).
func TestConnectorProvidersNeverWiden(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "team")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(sub, "db.properties"), "password=p4ss\n")
	outside := filepath.Join(t.TempDir(), "other.properties")
	writeFile(t, outside, "id=debian\n")
	t.Setenv("FERRY_TEST_HOME", "/home/secret")
	worker := map[string]string{"config.providers": "file", "config.providers.file.class": FileClass,
		"config.providers.file.param.allowed.paths": dir}
	optIn := map[string]string{ConnectorProvidersKey: "true"}
	for k, v := range worker {
		optIn[k] = v
	}
	attack := map[string]string{"config.providers": "file,env", "config.providers.file.class": FileClass,
		"config.providers.file.param.allowed.paths": "", "config.providers.env.class": EnvClass,
		"a": "${file:" + outside + ":id}", "b": "${env:FERRY_TEST_HOME}"}
	tests := []struct {
		name           string
		config, worker map[string]string
		want           string // resolved value of "a"
		err            string
	}{
		{"widening, worker default", attack, worker, "", ConnectorProvidersKey + "=true"},
		{"widening, worker opted in", attack, optIn, "", "allows every path"},
		{"a class the worker lacks", map[string]string{"config.providers": "env", "config.providers.env.class": EnvClass,
			"a": "${env:FERRY_TEST_HOME}"}, optIn, "", "which the worker does not declare"},
		{"a path outside the worker's", map[string]string{"config.providers": "f", "config.providers.f.class": FileClass,
			"config.providers.f.param.allowed.paths": filepath.Dir(outside), "a": "${f:" + outside + ":id}"}, optIn, "", "outside the worker's allowed.paths"},
		{"narrowed, worker opted in", map[string]string{"config.providers": "team", "config.providers.team.class": FileClass,
			"config.providers.team.param.allowed.paths": sub, "a": "${team:" + filepath.Join(sub, "db.properties") + ":password}"},
			optIn, "p4ss", ""},
		{"worker's own providers", map[string]string{"a": "${file:" + filepath.Join(sub, "db.properties") + ":password}"}, worker, "p4ss", ""},
		{"the worker's declaration restated", map[string]string{"config.providers": "file", "config.providers.file.class": FileClass,
			"config.providers.file.param.allowed.paths": dir, "a": "${file:" + outside + ":id}"}, worker, "", "path is not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(context.Background(), tt.config, tt.worker, Builtins())
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrUnresolved) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "debian") || strings.Contains(err.Error(), "/home/secret") {
					t.Fatalf("error reveals a secret: %v", err)
				}
				return
			}
			if err != nil || got["a"] != tt.want {
				t.Fatalf("a = %q, %v; want %q", got["a"], err, tt.want)
			}
		})
	}
}
