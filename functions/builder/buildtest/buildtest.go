// Package buildtest runs a ferry binary that `ferry build` made, for the
// tests of functions/builder and docs: standalone against Kafka, its REST
// API, and the records it wrote.
package buildtest

import (
	"context"
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

// Standalone starts `bin standalone` against Kafka at bootstrap with the
// connector files in args, in a temporary data directory, waits until its
// REST API answers and returns its base URL; the process is killed when
// the test ends.
func Standalone(ctx context.Context, t *testing.T, bin, bootstrap string, args ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.CommandContext(ctx, bin, append([]string{"standalone", "--bootstrap-servers", bootstrap, "--listeners", "http://" + addr,
		"--data-dir", filepath.Join(t.TempDir(), "data"), "--log-level", "warn"}, args...)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	api := "http://" + addr
	for {
		if _, code, err := Request(ctx, "GET", api+"/connector-plugins", ""); err == nil && code == http.StatusOK {
			return api
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s standalone: its REST API did not answer before the deadline", bin)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Apply runs `bin transforms apply` with the connector config config (a
// JSON object) over one input line and returns what it wrote.
func Apply(ctx context.Context, t *testing.T, bin, config, line string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, "transforms", "apply", "--config", path)
	cmd.Stdin = strings.NewReader(line + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s transforms apply --config %s: %v\n%s", bin, config, err, out)
	}
	return string(out)
}

// Request sends one REST request and returns the body and status code.
func Request(ctx context.Context, method, url, body string) (string, int, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode, err
}

// Send is Request that fails the test unless the status is want.
func Send(ctx context.Context, t *testing.T, method, url, body string, want int) string {
	t.Helper()
	got, code, err := Request(ctx, method, url, body)
	if err != nil || code != want {
		t.Fatalf("%s %s = %d %v %s, want %d", method, url, code, err, got, want)
	}
	return got
}

// Values reads the first n record values of topic.
func Values(ctx context.Context, t *testing.T, bootstrap, topic string, n int) []string {
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
	return out[:n]
}
