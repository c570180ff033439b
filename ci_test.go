package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestCIScript checks that .ci/run names no host (the Go module proxy comes
// from `go env GOPROXY`) and fails when go.mod/go.sum are not tidy
// (regression: the proxy's host name was spelled out in the script).
func TestCIScript(t *testing.T) {
	b, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	script := string(b)
	if urls := regexp.MustCompile(`https?://[A-Za-z0-9.-]+`).FindAllString(script, -1); len(urls) > 0 {
		t.Errorf(".ci/run spells out hosts %v; read them from the environment (go env GOPROXY)", urls)
	}
	for _, want := range []string{"go env GOPROXY", "go mod tidy -diff"} {
		if !strings.Contains(script, want) {
			t.Errorf(".ci/run lacks %q", want)
		}
	}
}
