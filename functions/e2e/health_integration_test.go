//go:build integration

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// privateRedis runs a redis-server of the test's own on port, so the test
// can stop and start it without touching the shared one.
func privateRedis(t *testing.T, port int) *proc {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server not found: run `localstack/up redis` (%v)", err)
	}
	p := startCmd(t, nil, bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	waitFor(t, 10*time.Second, "private redis up", func() bool { return portOpen(port) })
	return p
}

func portOpen(port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// probeBody is GET url's status code and {"status","message"} body.
func probeBody(url string) (int, string, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var ws struct{ Status, Message string }
	_ = json.Unmarshal(b, &ws)
	return resp.StatusCode, ws.Status, ws.Message
}

// TestHealthFollowsTheStore stops the state store under a running scheduler
// and worker: the scheduler's GET /health and the worker's /ready answer 503
// naming the store while it is down, and 200 once it is back.
func TestHealthFollowsTheStore(t *testing.T) {
	svc := needServices(t)
	rport, port, mport := freePort(t), freePort(t), freePort(t)
	redis := privateRedis(t, rport)
	env := []string{"FERRY_NATS_URL=" + svc.nats, "FERRY_NATS_SUBJECT=" + uniqueName("ferry.invoke.health"),
		fmt.Sprintf("FERRY_STATE=redis://127.0.0.1:%d/0", rport), "FERRY_BOOTSTRAP_SERVERS=" + svc.kafka,
		fmt.Sprintf("FERRY_LISTENERS=http://127.0.0.1:%d", port)}
	start(t, env, "scheduler")
	start(t, env, "worker", "--metrics-listeners", fmt.Sprintf("127.0.0.1:%d", mport))
	health := fmt.Sprintf("http://127.0.0.1:%d/health", port)
	ready := fmt.Sprintf("http://127.0.0.1:%d/ready", mport)
	expect := func(url string, code int, cause string) {
		t.Helper()
		var got, msg string
		var c int
		waitFor(t, 30*time.Second, fmt.Sprintf("%s answering %d %q", url, code, cause), func() bool {
			c, got, msg = probeBody(url)
			return c == code && strings.Contains(msg, cause)
		})
		t.Logf("%s: %d %s %q", url, c, got, msg)
	}
	expect(health, 200, "ready to handle requests")
	expect(ready, 200, "ready to handle requests")
	redis.stop()
	expect(health, 503, "state store unreachable")
	expect(ready, 503, "state store unreachable")
	privateRedis(t, rport)
	expect(health, 200, "ready to handle requests")
	expect(ready, 200, "ready to handle requests")
}
