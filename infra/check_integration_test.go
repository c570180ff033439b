//go:build integration

package infra

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInfraCheck runs infra/check on the real templates (must pass) and on
// copies broken one way each (must fail, naming the problem).
func TestInfraCheck(t *testing.T) {
	cases := []struct {
		name, file, old, new, want string
	}{
		{name: "valid templates", want: "infra-check: PASS"},
		{name: "misspelt Lambda property", file: "aws/ferry.yaml",
			old: "      MemorySize: !Ref MemorySize", new: "      MemorySise: !Ref MemorySize", want: "MemorySise"},
		{name: "reference to a missing resource", file: "aws/ferry.yaml",
			old: "Resource: !GetAtt Function.Arn", new: "Resource: !GetAtt Functoin.Arn", want: "Functoin"},
		{name: "bad runtime", file: "aws/ferry.yaml",
			old: "Runtime: provided.al2023", new: "Runtime: go1.x.al2099", want: "go1.x.al2099"},
		{name: "unknown manifest field", file: "k8s/scheduler.yaml",
			old: "containerPort: 8083", new: "containerPortt: 8083", want: "containerPortt: unknown field"},
		{name: "readiness probe moved", file: "k8s/scheduler.yaml",
			old: "httpGet: {path: /health, port: metrics}", new: "httpGet: {path: /connectors, port: rest}", want: "readiness"},
		{name: "worker readiness probe moved", file: "k8s/workers.yaml",
			old: "httpGet: {path: /ready, port: metrics}", new: "httpGet: {path: /health, port: metrics}", want: "worker probes"},
		{name: "string replicas", file: "k8s/workers.yaml",
			old: "replicas: 2", new: `replicas: "2"`, want: "want int"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyInfra(t)
			if tc.file != "" {
				p := filepath.Join(dir, tc.file)
				raw, err := os.ReadFile(p)
				if err != nil || !strings.Contains(string(raw), tc.old) {
					t.Fatalf("%s does not contain %q (%v): update the test", tc.file, tc.old, err)
				}
				if err := os.WriteFile(p, []byte(strings.Replace(string(raw), tc.old, tc.new, 1)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, err := exec.Command("./check", filepath.Join(dir, "aws"), filepath.Join(dir, "k8s")).CombinedOutput()
			if (err == nil) != (tc.file == "") || !strings.Contains(string(out), tc.want) {
				t.Fatalf("infra/check: err=%v, want failure=%v and output containing %q:\n%s", err, tc.file != "", tc.want, out)
			}
		})
	}
}

// copyInfra copies infra/aws and infra/k8s into a temporary directory.
func copyInfra(t *testing.T) string {
	dir := t.TempDir()
	for _, sub := range []string{"aws", "k8s"} {
		files, _ := filepath.Glob(filepath.Join(sub, "*.yaml"))
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), raw, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}
