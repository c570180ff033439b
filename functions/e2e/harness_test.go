//go:build integration

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ferryBin is the binary built once for every test in the package.
var ferryBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ferry-e2e")
	if err != nil {
		panic(err)
	}
	ferryBin = filepath.Join(dir, "ferry")
	build := exec.Command("go", "build", "-o", ferryBin, "github.com/ferryhq/ferry")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building ferry:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// services are the addresses of the real services from localstack/up.
type services struct{ kafka, redis, nats string }

func needServices(t testing.TB) services {
	t.Helper()
	s := services{os.Getenv("KAFKA_BOOTSTRAP_SERVERS"), os.Getenv("REDIS_URL"), os.Getenv("NATS_URL")}
	if s.kafka == "" || s.redis == "" || s.nats == "" {
		t.Fatalf("KAFKA_BOOTSTRAP_SERVERS, REDIS_URL and NATS_URL must be set: run `eval \"$(localstack/up kafka redis nats)\"` (got %+v)", s)
	}
	return s
}

// proc is a ferry process under test.
type proc struct {
	cmd *exec.Cmd
	log *bytes.Buffer
}

func start(t testing.TB, env []string, args ...string) *proc {
	t.Helper()
	return startCmd(t, env, ferryBin, args...)
}

// startCmd runs bin (ferry, or a service of the test's own) until the test ends.
func startCmd(t testing.TB, env []string, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s %v: %v", bin, args, err)
	}
	p := &proc{cmd: cmd, log: &buf}
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("%s %v output:\n%s", filepath.Base(bin), args, tail(buf.String(), 4000))
		}
	})
	return p
}

func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		p.kill()
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// api is a tiny REST client for the scheduler under test.
type api struct {
	t    testing.TB
	base string
}

func (a api) do(method, path string, body any) (int, []byte) {
	a.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (a api) waitReady() {
	a.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(a.base + "/connectors"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	a.t.Fatalf("REST API at %s not ready after 60s", a.base)
}

func (a api) create(name string, cfg map[string]string) {
	a.t.Helper()
	code, body := a.do("POST", "/connectors", map[string]any{"name": name, "config": cfg})
	if code != 201 {
		a.t.Fatalf("creating %s: %d %s", name, code, body)
	}
}

// waitFor polls cond every 200ms until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func kafkaAdmin(t testing.TB, seeds string) *kadm.Client {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(seeds, ",")...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

// topicCount returns the number of records in topic (sum of end offsets).
func topicCount(t testing.TB, adm *kadm.Client, topic string) int64 {
	ends, err := adm.ListEndOffsets(context.Background(), topic)
	if err != nil {
		return -1
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err == nil {
			n += o.Offset
		}
	})
	return n
}

func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1_000_000_000)
}
