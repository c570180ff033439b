package httpsink

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

func TestConfigCheck(t *testing.T) {
	base := func(kv ...string) map[string]string {
		m := map[string]string{"http.api.url": "http://api/${topic}/${key}"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		props map[string]string
		bad   string
	}{
		{"defaults", base(), ""},
		{"no url", map[string]string{}, "http.api.url"},
		{"ftp", base("http.api.url", "ftp://x"), "http.api.url"},
		{"codes", base("retry.on.status.codes", "429,500-599"), ""},
		{"bad codes", base("retry.on.status.codes", "5xx"), "retry.on.status.codes"},
		{"backwards range", base("retry.on.status.codes", "500-400"), "retry.on.status.codes"},
		{"headers", base("headers", "A:1|B: two"), ""},
		{"bad header", base("headers", "A:1|B"), "headers"},
		{"basic no user", base("auth.type", "BASIC"), "connection.user"},
		{"bearer no token", base("auth.type", "BEARER"), "bearer.token"},
		{"oauth2 without endpoint", base("auth.type", "OAUTH2"), "oauth2.token.url"},
		{"oauth2", base("auth.type", "OAUTH2", "oauth2.token.url", "http://idp/token", "oauth2.client.id", "c"), ""},
		{"delete method", base("request.method", "DELETE"), "request.method"},
		{"missing truststore", base("https.ssl.truststore.location", "/nonexistent/ca.pem"), "https.ssl.truststore.location"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(tc.props)
			var ce *connectors.ConfigError
			switch {
			case tc.bad == "" && err != nil:
				t.Fatal(err)
			case tc.bad != "" && (!errors.As(err, &ce) || ce.Key != tc.bad):
				t.Fatalf("got %v, want an error on %s", err, tc.bad)
			}
		})
	}
}

func TestRetryAfterAndBackoff(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
	}{{"", -1}, {"3", 3 * time.Second}, {"x", -1}, {"9999", maxBackoff},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second}, {now.Add(-time.Hour).Format(http.TimeFormat), 0}} {
		if got := retryAfter(tc.v, now); got != tc.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
	if b := backoff(time.Second, 3); b != 8*time.Second {
		t.Errorf("backoff = %v", b)
	}
	if b := backoff(time.Second, 20); b != maxBackoff {
		t.Errorf("backoff = %v", b)
	}
}

// script is a RoundTripper answering with the given statuses in turn
// (0: a network error) and recording the requests.
type script struct {
	statuses []int
	header   http.Header
	bodies   []string
	urls     []string
}

func (s *script) RoundTrip(req *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(req.Body)
	s.bodies, s.urls = append(s.bodies, string(b)), append(s.urls, req.Method+" "+req.URL.String())
	st := 200
	if len(s.statuses) > 0 {
		st, s.statuses = s.statuses[0], s.statuses[1:]
	}
	if st == 0 {
		return nil, errors.New("connection refused")
	}
	h := http.Header{}
	if st == 429 {
		h = s.header
	}
	return &http.Response{StatusCode: st, Header: h, Body: io.NopCloser(strings.NewReader("answer"))}, nil
}

func newTask(t *testing.T, s *script, kv ...string) (*Task, *[]time.Duration) {
	t.Helper()
	props := map[string]string{"http.api.url": "http://api/${topic}", "retry.backoff.ms": "100"}
	for i := 0; i+1 < len(kv); i += 2 {
		props[kv[i]] = kv[i+1]
	}
	task := &Task{}
	if err := task.Open(context.Background(), props); err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	task.cl.http.Transport = s
	task.cl.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	return task, &waits
}

func recs(values ...any) []*connectors.Record {
	var out []*connectors.Record
	for i, v := range values {
		out = append(out, &connectors.Record{Topic: "t", Offset: int64(i), Key: "k", Value: v})
	}
	return out
}

func TestPutRetries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		statuses  []int
		props     []string
		waits     []time.Duration
		rejected  int
		retriable bool
	}{
		{"ok", nil, nil, nil, 0, false},
		{"5xx then ok", []int{503, 0, 200}, nil, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}, 0, false},
		{"429 retry-after", []int{429, 200}, nil, []time.Duration{2 * time.Second}, 0, false},
		{"400 not retried", []int{400}, []string{"retry.on.status.codes", "429,500-"}, nil, 2, false},
		{"400 retried then refused", []int{400, 400}, []string{"max.retries", "1"}, []time.Duration{100 * time.Millisecond}, 2, false},
		{"503 exhausted is retriable", []int{503, 503}, []string{"max.retries", "1"}, []time.Duration{100 * time.Millisecond}, 0, true},
		{"network exhausted is retriable", []int{0, 0, 0}, []string{"max.retries", "2"}, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}, 0, true},
		{"refused ignored", []int{400}, []string{"retry.on.status.codes", "500-", "behavior.on.error", "ignore"}, nil, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &script{statuses: tc.statuses, header: http.Header{"Retry-After": {"2"}}}
			task, waits := newTask(t, s, append([]string{"batch.max.size", "5"}, tc.props...)...)
			err := task.Put(context.Background(), recs("a", "b"))
			var rej *connectors.RejectedError
			switch {
			case tc.retriable != connectors.IsRetriable(err):
				t.Fatalf("err %v, retriable want %v", err, tc.retriable)
			case tc.rejected > 0 && (!errors.As(err, &rej) || len(rej.Rejected) != tc.rejected || !errors.Is(rej.Rejected[0].Err, ErrRefused)):
				t.Fatalf("err %v, want %d rejected", err, tc.rejected)
			case tc.rejected == 0 && !tc.retriable && err != nil:
				t.Fatal(err)
			}
			if len(*waits) != len(tc.waits) || (len(tc.waits) > 0 && (*waits)[0] != tc.waits[0]) || (len(tc.waits) > 1 && (*waits)[1] != tc.waits[1]) {
				t.Fatalf("waits %v, want %v", *waits, tc.waits)
			}
		})
	}
}

func TestPutBodies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		props  []string
		values []any
		want   []string
	}{
		{"one per request", nil, []any{"a", []byte("b")}, []string{"POST http://api/t a", "POST http://api/t b"}},
		{"batched", []string{"batch.max.size", "2", "batch.prefix", "<", "batch.suffix", ">", "batch.separator", ";"}, []any{"a", "b", "c"},
			[]string{"POST http://api/t <a;b>", "POST http://api/t <c>"}},
		{"json array", []string{"batch.max.size", "10", "request.body.format", "json", "batch.json.as.array", "true"},
			[]any{`{"x":1}`, "plain", map[string]any{"y": int64(2)}}, []string{`POST http://api/t [{"x":1},"plain",{"y":2}]`}},
		{"null ignored", []string{"batch.max.size", "10"}, []any{"a", nil, "b"}, []string{"POST http://api/t a,b"}},
		{"null deletes", []string{"batch.max.size", "10", "behavior.on.null.values", "delete", "http.api.url", "http://api/${topic}/${key}"},
			[]any{"a", nil, "b"}, []string{"POST http://api/t/k a", "DELETE http://api/t/k ", "POST http://api/t/k b"}},
		{"put with headers", []string{"request.method", "PUT"}, []any{"a"}, []string{"PUT http://api/t a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &script{}
			task, _ := newTask(t, s, tc.props...)
			if err := task.Put(context.Background(), recs(tc.values...)); err != nil {
				t.Fatal(err)
			}
			var got []string
			for i := range s.urls {
				got = append(got, s.urls[i]+" "+s.bodies[i])
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestNullFailRejects(t *testing.T) {
	task, _ := newTask(t, &script{}, "behavior.on.null.values", "fail")
	err := task.Put(context.Background(), recs("a", nil))
	var rej *connectors.RejectedError
	if !errors.As(err, &rej) || len(rej.Rejected) != 1 || !errors.Is(rej.Rejected[0].Err, ErrNull) {
		t.Fatalf("got %v", err)
	}
}

// TestURLPlaceholders: ${topic} and ${key} are replaced once each, with the
// values path-escaped; a key that reads like a placeholder stays a value.
func TestURLPlaceholders(t *testing.T) {
	for _, tc := range []struct {
		url  string
		key  any
		want string
	}{
		{"http://api/in", "k", "http://api/in"},
		{"http://api/${topic}", "k", "http://api/t"},
		{"http://api/${topic}/${key}/${topic}", "a/b c", "http://api/t/a%2Fb%20c/t"},
		{"http://api/${key}", "${topic}", "http://api/$%7Btopic%7D"},
		{"http://api/${key}", []byte("b"), "http://api/b"},
		{"http://api/${key}", nil, "http://api/"},
		{"http://api/${key}", int64(7), "http://api/7"},
	} {
		task, _ := newTask(t, &script{}, "http.api.url", tc.url)
		if got := task.url(&connectors.Record{Topic: "t", Key: tc.key}); got != tc.want {
			t.Errorf("%s with key %v: got %s, want %s", tc.url, tc.key, got, tc.want)
		}
	}
}
