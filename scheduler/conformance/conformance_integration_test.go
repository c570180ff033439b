//go:build integration

package conformance

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
	"testing"
	"time"
)

// deliberate lists every difference from Kafka Connect the suite accepts,
// by step name. Each reason must appear word for word in docs/rest-api.md,
// where the deliberate differences are documented.
var deliberate = map[string]string{
	"validate without connector.class": "A validate request without `connector.class` is a 400 naming the problem (Kafka Connect answers 500 wrapping a BadRequestException).",
	"validate malformed JSON":          "A malformed JSON request body is a 400 naming the problem (Kafka Connect answers 500).",
	"create malformed JSON":            "A malformed JSON request body is a 400 naming the problem (Kafka Connect answers 500).",
	"create with wrong value type":     "A config value that is a JSON object or array is a 400 naming the key (Kafka Connect answers 500).",
	"create body over 1 MiB":           "Request bodies over 1 MiB are refused with 413 (Kafka Connect reads them).",
	"create with config not an object": "A malformed JSON request body is a 400 naming the problem (Kafka Connect answers 500).",
	"put config malformed JSON":        "A malformed JSON request body is a 400 naming the problem (Kafka Connect answers 500).",
	"put config not an object":         "A malformed JSON request body is a 400 naming the problem (Kafka Connect answers 500).",
	"alter offsets malformed JSON":     "A malformed JSON request body is a 400 naming the problem (Kafka Connect answers 500).",
	"set logger malformed JSON":        "A malformed JSON request body is a 400 naming the problem (Kafka Connect answers 500).",
	"create without config":            "A create request without `config` is a 400 naming the problem (Kafka Connect answers 500 with a NullPointerException message).",
	"create with bad initial_state":    "An unknown `initial_state` is a 400 naming the allowed values (Kafka Connect answers 500).",
}

// step is one REST call of testdata/calls.json.
type step struct {
	Name   string          `json:"name"`
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body"`
	Raw    *string         `json:"raw"`
	Big    bool            `json:"big"`
	Status int             `json:"status"`
	// KCStatus is Kafka Connect's status where it differs deliberately.
	KCStatus int `json:"kc_status"`
	// Keys "ignore": the top-level object keys are data (names), compare values only.
	Keys string `json:"keys"`
	// Until polls the call until these dotted paths hold these values.
	Until map[string]any `json:"until"`
}

// reply is one side's answer to a step.
type reply struct {
	status int
	body   any
	raw    string
}

// side is ferry or Kafka Connect, with its own placeholder values and counts.
type side struct {
	name, base  string
	vars        map[string]string
	ran, passed int
}

func TestConformance(t *testing.T) {
	kc := os.Getenv("KAFKA_CONNECT_URL")
	kafka := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if kc == "" || kafka == "" {
		t.Fatal("KAFKA_CONNECT_URL and KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka kafka-connect)\"`")
	}
	steps := loadSteps(t)
	checkDeliberateDocumented(t, steps)
	dir := t.TempDir()
	ferryURL := startFerry(t, dir, kafka, "http", http.DefaultClient)
	run := fmt.Sprintf("%d", time.Now().UnixNano()%1e9)
	ferry := newSide("ferry", ferryURL, run, filepath.Join(dir, "ferry"))
	ref := newSide("kafka-connect", strings.TrimRight(kc, "/"), run, filepath.Join(dir, "kc"))
	var crossRan, crossPassed int
	for _, st := range steps {
		a := ferry.do(t, st)
		b := ref.do(t, st)
		crossRan++
		diffs := compareShapes(st, a.body, b.body)
		if a.status != b.status && !(st.KCStatus != 0 && b.status == st.KCStatus && a.status == st.Status) {
			diffs = append(diffs, fmt.Sprintf("status: ferry %d, kafka-connect %d", a.status, b.status))
		}
		if len(diffs) == 0 {
			crossPassed++
			continue
		}
		t.Errorf("%s %s (%s): differs from Kafka Connect:\n  %s\n  ferry: %.300s\n  kafka-connect: %.300s",
			st.Method, st.Path, st.Name, strings.Join(diffs, "\n  "), a.raw, b.raw)
	}
	for _, s := range []*side{ferry, ref} {
		t.Logf("%s: %d checks ran, %d passed", s.name, s.ran, s.passed)
		fmt.Printf("conformance %s: %d checks ran, %d passed\n", s.name, s.ran, s.passed)
	}
	fmt.Printf("conformance ferry vs kafka-connect: %d comparisons ran, %d passed (%d deliberate differences allowed)\n",
		crossRan, crossPassed, len(deliberate))
}

func loadSteps(t *testing.T) []step {
	b, err := os.ReadFile(filepath.Join("testdata", "calls.json"))
	if err != nil {
		t.Fatal(err)
	}
	var steps []step
	if err := json.Unmarshal(b, &steps); err != nil {
		t.Fatalf("testdata/calls.json: %v", err)
	}
	return steps
}

// checkDeliberateDocumented fails when a step expects Kafka Connect to differ
// without an allow-list entry, or an allow-list reason is missing from docs/rest-api.md.
func checkDeliberateDocumented(t *testing.T, steps []step) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "docs", "rest-api.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		if st.KCStatus != 0 && deliberate[st.Name] == "" {
			t.Errorf("step %q expects Kafka Connect to answer %d, but the difference is not in the allow-list", st.Name, st.KCStatus)
		}
	}
	for name, reason := range deliberate {
		if !bytes.Contains(readme, []byte(reason)) {
			t.Errorf("deliberate difference of step %q is not documented in docs/rest-api.md with the same wording: %q", name, reason)
		}
	}
}

func newSide(name, base, run, dir string) *side {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		panic(err)
	}
	src := filepath.Join(dir, "source.txt")
	var lines strings.Builder
	for i := range 20 {
		fmt.Fprintf(&lines, "line %d\n", i)
	}
	if err := os.WriteFile(src, []byte(lines.String()), 0o644); err != nil {
		panic(err)
	}
	tag := strings.ReplaceAll(name, "-", "")
	return &side{name: name, base: base, vars: map[string]string{
		"{src}":      "conformance-" + tag + "-" + run + "-src",
		"{sink}":     "conformance-" + tag + "-" + run + "-sink",
		"{topic}":    "conformance-" + tag + "-" + run,
		"{srcfile}":  src,
		"{sinkfile}": filepath.Join(dir, "sink.txt"),
	}}
}

func (s *side) subst(v string) string {
	for k, x := range s.vars {
		v = strings.ReplaceAll(v, k, x)
	}
	return v
}

// do runs the step (polling while Until does not hold) and counts whether
// the status is the one testdata expects of this side.
func (s *side) do(t *testing.T, st step) reply {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var r reply
	for {
		r = s.call(t, st)
		if holds(r.body, st.Until) || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	want := st.Status
	if s.name == "kafka-connect" && st.KCStatus != 0 {
		want = st.KCStatus
	}
	s.ran++
	if r.status == want && holds(r.body, st.Until) {
		s.passed++
	} else {
		t.Errorf("%s: %s %s (%s): status %d, want %d (until %v): %.400s", s.name, st.Method, st.Path, st.Name, r.status, want, st.Until, r.raw)
	}
	return r
}

func (s *side) call(t *testing.T, st step) reply {
	t.Helper()
	var body io.Reader
	switch {
	case st.Big:
		body = strings.NewReader(`{"name":"big","config":{"x":"` + strings.Repeat("a", 2<<20) + `"}}`)
	case st.Raw != nil:
		body = strings.NewReader(*st.Raw)
	case st.Body != nil:
		body = strings.NewReader(s.subst(string(st.Body)))
	}
	req, err := http.NewRequest(st.Method, s.base+s.subst(st.Path), body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %s %s: %v", s.name, st.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, raw: string(raw)}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			r.body = "<not JSON>"
		}
	}
	return r
}

// holds reports whether every dotted path of until has its value in body.
func holds(body any, until map[string]any) bool {
	for path, want := range until {
		got, ok := at(body, path)
		if !ok || fmt.Sprint(got) != fmt.Sprint(want) {
			return false
		}
	}
	return true
}

func at(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			var i int
			if _, err := fmt.Sscan(part, &i); err != nil || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, v != nil
}

// startFerry builds ferry and runs `ferry standalone` against the real
// broker, listening on scheme://127.0.0.1:<free port>, with extra flags.
func startFerry(t *testing.T, dir, kafka, scheme string, client *http.Client, extra ...string) string {
	t.Helper()
	bin := filepath.Join(dir, "ferry-bin")
	build := exec.Command("go", "build", "-o", bin, "github.com/ferryhq/ferry")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("building ferry: %v", err)
	}
	port := freePort(t)
	url := fmt.Sprintf("%s://127.0.0.1:%d", scheme, port)
	var log bytes.Buffer
	args := append([]string{"standalone", "--listeners", url, "--bootstrap-servers", kafka,
		"--data-dir", filepath.Join(dir, "data"), "--log-level", "warn"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("ferry log:\n%s", log.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if resp, err := client.Get(url + "/"); err == nil {
			resp.Body.Close()
			return url
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("ferry did not answer on %s within 30s:\n%s", url, log.String())
	return ""
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
