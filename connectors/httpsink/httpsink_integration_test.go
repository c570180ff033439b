//go:build integration

package httpsink_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/httpsink"
	"github.com/ferryhq/ferry/connectors/kafkaclient/tlstest"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// api is a real HTTP server the test starts: it records the JSON array
// batches it accepts, after an optional per-request script.
type api struct {
	mu       sync.Mutex
	got      map[int]int // record number -> times received
	requests []time.Time
	script   func(n int, w http.ResponseWriter, r *http.Request, body string) bool // true: answered
	srv      *httptest.Server
}

func newAPI(t testing.TB, check func(*http.Request) int) *api {
	a := &api{got: map[int]int{}}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		n := len(a.requests)
		a.requests = append(a.requests, time.Now())
		a.mu.Unlock()
		if st := check(r); st != 0 {
			w.WriteHeader(st)
			return
		}
		if a.script != nil && a.script(n, w, r, string(b)) {
			return
		}
		var batch []struct{ I int }
		if err := json.Unmarshal(b, &batch); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		a.mu.Lock()
		for _, x := range batch {
			a.got[x.I]++
		}
		a.mu.Unlock()
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func record(i int) *kgo.Record {
	return &kgo.Record{Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprintf(`{"i":%d}`, i))}
}

func config(topic, url string, kv ...string) map[string]string {
	cfg := map[string]string{"connector.class": httpsink.Class, "topics": topic, "http.api.url": url,
		"request.body.format": "json", "batch.json.as.array": "true", "retry.backoff.ms": "50",
		"key.converter": "org.apache.kafka.connect.storage.StringConverter", "value.converter": "org.apache.kafka.connect.storage.StringConverter"}
	for i := 0; i+1 < len(kv); i += 2 {
		cfg[kv[i]] = kv[i+1]
	}
	return cfg
}

// exactlyOnce fails unless every record 0..n-1 arrived exactly once.
func (a *api) exactlyOnce(t testing.TB, n int) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.got) != n {
		t.Fatalf("received %d distinct records, want %d", len(a.got), n)
	}
	for i := range n {
		if a.got[i] != 1 {
			t.Fatalf("record %d received %d times", i, a.got[i])
		}
	}
}

// 100,000 records in batches of 500 as JSON arrays, with basic auth and
// the configured headers, to a URL with ${topic}: each exactly once.
func TestHTTPSink100kBatched(t *testing.T) {
	r := sinktest.New(t, "http-test", httpsink.Plugin())
	topic := r.Topic("http-100k", 2)
	a := newAPI(t, func(req *http.Request) int {
		u, p, ok := req.BasicAuth()
		if !ok || u != "ferry" || p != "s3cret" || req.Header.Get("X-Test") != "yes" || req.Header.Get("Content-Type") != "application/json" ||
			req.URL.Path != "/in/"+topic || req.Method != http.MethodPut {
			return http.StatusUnauthorized
		}
		return 0
	})
	r.Produce(topic, 2, 0, 100000, record)
	cfg := config(topic, a.srv.URL+"/in/${topic}", "batch.max.size", "500", "auth.type", "BASIC", "connection.user", "ferry",
		"connection.password", "s3cret", "headers", "X-Test:yes|X-Other:2", "request.method", "PUT", "retry.on.status.codes", "500-")
	start := time.Now()
	r.Drain("http-"+topic, cfg)
	t.Logf("100000 records in %v, %d requests", time.Since(start), len(a.requests))
	a.exactlyOnce(t, 100000)
}

// A server that fails (503), throttles (429 with Retry-After: 1) and times
// out: every record arrives once, and the request after the 429 waits the
// second it asked for.
func TestHTTPSinkFailsThrottlesTimesOut(t *testing.T) {
	r := sinktest.New(t, "http-test", httpsink.Plugin())
	topic := r.Topic("http-flaky", 1)
	a := newAPI(t, func(req *http.Request) int {
		if req.Header.Get("Authorization") != "Bearer tok" {
			return http.StatusUnauthorized
		}
		return 0
	})
	a.script = func(n int, w http.ResponseWriter, _ *http.Request, _ string) bool {
		switch n {
		case 0:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 1:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			time.Sleep(700 * time.Millisecond) // past http.request.timeout.ms; not recorded
			w.WriteHeader(http.StatusGatewayTimeout)
		default:
			return false
		}
		return true
	}
	r.Produce(topic, 1, 0, 1000, record)
	r.Drain("flaky-"+topic, config(topic, a.srv.URL, "batch.max.size", "100", "auth.type", "BEARER", "bearer.token", "tok",
		"http.request.timeout.ms", "300", "retry.on.status.codes", "429,500-"))
	a.exactlyOnce(t, 1000)
	if gap := a.requests[2].Sub(a.requests[1]); gap < time.Second {
		t.Fatalf("request after the 429 came %v later, want >= 1s (Retry-After)", gap)
	}
	if len(a.requests) != 13 {
		t.Fatalf("%d requests, want 13 (10 batches, 3 failed attempts)", len(a.requests))
	}
}

// A 400 that is not retried fails the invocation with errors.tolerance=none
// and sends the record to the dead-letter queue with all.
func TestHTTPSinkRefusedToDLQ(t *testing.T) {
	r := sinktest.New(t, "http-test", httpsink.Plugin())
	topic := r.Topic("http-refused", 1)
	a := newAPI(t, func(*http.Request) int { return 0 })
	a.script = func(_ int, w http.ResponseWriter, _ *http.Request, body string) bool {
		if strings.Contains(body, `"i":6`) {
			http.Error(w, "record 6 is invalid", http.StatusBadRequest)
			return true
		}
		return false
	}
	r.Produce(topic, 1, 0, 10, record)
	cfg := config(topic, a.srv.URL, "retry.on.status.codes", "429,500-")
	res, err := r.H.Handle(context.Background(), r.Invocation("strict-"+topic, cfg))
	if err == nil || res.State != functions.StateFailed || !strings.Contains(res.Trace+err.Error(), "status 400") {
		t.Fatalf("state %s, %v; want FAILED naming status 400", res.State, err)
	}
	dlq := topic + "-dlq"
	cfg["errors.tolerance"], cfg["errors.deadletterqueue.topic.name"] = "all", dlq
	cfg["errors.deadletterqueue.topic.replication.factor"], cfg["errors.deadletterqueue.context.headers.enable"] = "1", "true"
	a.got = map[int]int{}
	r.Drain("tolerant-"+topic, cfg)
	dead := r.Consume(dlq, 1)
	if string(dead[0].Key) != "6" || !strings.Contains(sinktest.Header(dead[0], "__connect.errors.exception.message"), "record 6 is invalid") {
		t.Fatalf("dead-letter records %v", dead)
	}
	if len(a.got) != 9 || a.got[6] != 0 {
		t.Fatalf("server got %v, want the 9 others", a.got)
	}
}

// An unreachable server, still failing after max.retries, is RETRYING.
func TestHTTPSinkUnreachableRetrying(t *testing.T) {
	r := sinktest.New(t, "http-test", httpsink.Plugin())
	topic := r.Topic("http-down", 1)
	r.Produce(topic, 1, 0, 1, record)
	res, _ := r.H.Handle(context.Background(), r.Invocation("down-"+topic, config(topic, "http://127.0.0.1:1/", "max.retries", "1", "retry.backoff.ms", "10")))
	if res.State != functions.StateRetrying || !strings.Contains(res.Trace, "connection refused") {
		t.Fatalf("state %s (%s), want RETRYING naming the refused connection", res.State, res.Trace)
	}
}

// An https API that wants a client certificate: with the https.ssl.* trust
// and key stores every record arrives once; without the client certificate
// the handshake is refused and the invocation FAILED (not retried) naming it.
func TestHTTPSinkMutualTLS(t *testing.T) {
	r := sinktest.New(t, "http-test", httpsink.Plugin())
	topic := r.Topic("http-tls", 1)
	a := newAPI(t, func(*http.Request) int { return 0 })
	srv := tlstest.MTLSServer(t, a.srv.Config.Handler)
	r.Produce(topic, 1, 0, 1000, record)
	trust := []string{"https.ssl.truststore.location", tlstest.File("ca.pem"), "batch.max.size", "100"}
	res, _ := r.H.Handle(context.Background(), r.Invocation("nocert-"+topic, config(topic, srv.URL, trust...)))
	if res.State != functions.StateFailed || !strings.Contains(res.Trace, "certificate required") || len(a.requests) != 0 {
		t.Fatalf("state %s (%s) after %d requests, want FAILED naming the certificate", res.State, res.Trace, len(a.requests))
	}
	r.Drain("tls-"+topic, config(topic, srv.URL, append(trust, "https.ssl.keystore.location", tlstest.File("client.p12"),
		"https.ssl.keystore.password", tlstest.StorePassword)...))
	a.exactlyOnce(t, 1000)
}

// idp is an OAuth2 token endpoint (client credentials, HTTP basic client
// authentication) that hands out numbered tokens.
type idp struct {
	mu     sync.Mutex
	issued int
	srv    *httptest.Server
}

func newIDP(t *testing.T) *idp {
	p := &idp{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		r.ParseForm()
		if id != "ferry-client" || secret != "s3cret" || r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("scope") != "any" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		p.mu.Lock()
		p.issued++
		n := p.issued
		p.mu.Unlock()
		fmt.Fprintf(w, `{"access_token":"token-%d","token_type":"Bearer","expires_in":3600}`, n)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// OAuth2 client credentials: the token is fetched once and reused; when
// the API stops accepting it (401) a new one is fetched and the request
// sent again; wrong client credentials fail the invocation, not retried.
func TestHTTPSinkOAuth2(t *testing.T) {
	r := sinktest.New(t, "http-test", httpsink.Plugin())
	topic := r.Topic("http-oauth", 1)
	p := newIDP(t)
	var accepted sync.Map
	accepted.Store("Bearer token-1", true)
	a := newAPI(t, func(req *http.Request) int {
		if _, ok := accepted.Load(req.Header.Get("Authorization")); !ok {
			return http.StatusUnauthorized
		}
		return 0
	})
	r.Produce(topic, 1, 0, 1000, record)
	oauth := func(secret string) map[string]string {
		return config(topic, a.srv.URL, "batch.max.size", "100", "auth.type", "OAUTH2", "oauth2.token.url", p.srv.URL,
			"oauth2.client.id", "ferry-client", "oauth2.client.secret", secret, "retry.on.status.codes", "500-")
	}
	a.script = func(n int, _ http.ResponseWriter, _ *http.Request, _ string) bool {
		if n == 4 { // the API revokes token-1 and now accepts token-2
			accepted.Delete("Bearer token-1")
			accepted.Store("Bearer token-2", true)
		}
		return false
	}
	r.Drain("oauth-"+topic, oauth("s3cret"))
	a.exactlyOnce(t, 1000)
	if p.issued != 2 {
		t.Fatalf("%d tokens issued, want 2 (one, and one after the 401)", p.issued)
	}
	res, _ := r.H.Handle(context.Background(), r.Invocation("badsecret-"+topic, oauth("wrong")))
	if res.State != functions.StateFailed || !strings.Contains(res.Trace, "refused the client credentials") {
		t.Fatalf("state %s (%s), want FAILED naming the refused credentials", res.State, res.Trace)
	}
}
