//go:build integration

package s3sink_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/s3sink"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// faultProxy stands in front of the S3 server and fails one logical request
// of a kind (RequestKind) with 503 SlowDown: the nth request of that kind
// and every SDK retry of it (amz-sdk-request attempt > 1, to the same object
// and part), so the SDK gives up and the sink sees a retriable error. The
// sink's own retry is a new request (attempt 1) and passes. Requests to
// other objects may run at the same time (sets sent in the background).
type faultProxy struct {
	kind string
	nth  int
	rp   *httputil.ReverseProxy

	mu      sync.Mutex
	seen    int
	failing string // the object and part of the failing request, until the sink retries it
	failed  int
}

func newFaultProxy(t *testing.T, target, kind string, nth int) (*faultProxy, string) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{kind: kind, nth: nth, rp: httputil.NewSingleHostReverseProxy(u)}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if p.fail(req) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>injected by the test</Message></Error>`))
		return
	}
	p.rp.ServeHTTP(w, req)
}

func (p *faultProxy) fail(req *http.Request) bool {
	if s3sink.RequestKind(req) != p.kind {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	target := req.URL.Path + "#" + req.URL.Query().Get("partNumber")
	if strings.Contains(req.Header.Get("amz-sdk-request"), "attempt=1;") {
		p.seen++
		switch {
		case p.seen == p.nth:
			p.failing = target
		case target == p.failing:
			p.failing = "" // the sink's own retry
		}
	}
	if target != p.failing {
		return false
	}
	p.failed++
	return true
}

func (p *faultProxy) failures() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failed
}

// A PutObject, an UploadPart or a CompleteMultipartUpload failing with a
// retriable error, retried within the invocation (errors.retry.timeout > 0)
// or by the next invocation (errors.retry.timeout 0), leaves the same
// objects, byte for byte, as a run without the failure: no record twice,
// none lost. Finished objects are sent in the background, so the failure is
// met by a later Put or by Flush.
func TestS3RetriedUploadWritesEachRecordOnce(t *testing.T) {
	cases := []struct {
		name         string
		kind         string
		nth          int
		n, pad       int
		flush        string
		retryTimeout string
	}{
		{"put within invocation", "put", 2, 50, 40, "10", "30000"},
		{"put across invocations", "put", 2, 50, 40, "10", "0"},
		{"part within invocation", "part", 1, 6000, 2000, "3000", "30000"},
		{"part across invocations", "part", 1, 6000, 2000, "3000", "0"},
		{"complete within invocation", "complete", 1, 6000, 2000, "3000", "30000"},
		{"complete across invocations", "complete", 2, 6000, 2000, "3000", "0"},
		// Six objects of 2 MB: the first fails in the background while the
		// next ones are written and sent.
		{"first of six puts within invocation", "put", 1, 6000, 2000, "1000", "30000"},
		{"first of six puts across invocations", "put", 1, 6000, 2000, "1000", "0"},
	}
	r := newRig(t)
	bucket := r.bucket("s3retry") // about 100 MB, dropped at the end
	parent := t
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r.T = t // the rig's failures name the case
			defer func() { r.T = parent }()
			topic := r.Topic("s3retry"+strconv.Itoa(i), 1)
			r.Produce(topic, 1, 0, tc.n, func(i int) *kgo.Record { return sinktest.Order(i, tc.pad, time.Second) })
			proxy, proxyURL := newFaultProxy(t, r.env["S3_ENDPOINT"], tc.kind, tc.nth)
			extra := []string{"flush.size", tc.flush, "s3.part.size", "5242880",
				"errors.retry.timeout", tc.retryTimeout, "errors.retry.delay.max.ms", "1000"}
			clean := sinkConfig(topic, bucket, "json.JsonFormat", append(extra, "topics.dir", "clean"+strconv.Itoa(i))...)
			faulty := sinkConfig(topic, bucket, "json.JsonFormat", append(extra, "topics.dir", "fault"+strconv.Itoa(i), "store.url", proxyURL)...)
			r.Drain("clean-"+topic, clean)
			failed := drainThroughFailures(t, r, "fault-"+topic, faulty)
			if proxy.failures() == 0 {
				t.Fatalf("no %s request failed: the test proves nothing", tc.kind)
			}
			if within := tc.retryTimeout != "0"; within != (failed == 0) {
				t.Fatalf("%d invocations failed; errors.retry.timeout %s should retry within the invocation: %v", failed, tc.retryTimeout, within)
			}
			want, got := r.objects(bucket, "clean"+strconv.Itoa(i)+"/"), r.objects(bucket, "fault"+strconv.Itoa(i)+"/")
			if len(want) == 0 || len(got) != len(want) {
				t.Fatalf("objects after the failure: %v, want as a clean run: %v (committed %v)", got, want, r.Committed("fault-"+topic, topic))
			}
			for j := range want {
				if strings.SplitN(got[j], "/", 2)[1] != strings.SplitN(want[j], "/", 2)[1] {
					t.Fatalf("object %d is %s, want %s", j, got[j], want[j])
				}
				if g, w := r.get(bucket, got[j]), r.get(bucket, want[j]); !bytes.Equal(g, w) {
					t.Fatalf("%s: %d bytes, %d lines; a clean run wrote %d bytes, %d lines",
						got[j], len(g), bytes.Count(g, []byte("\n")), len(w), bytes.Count(w, []byte("\n")))
				}
			}
			if c, f := r.Committed("clean-"+topic, topic), r.Committed("fault-"+topic, topic); c[0] != f[0] {
				t.Fatalf("committed %v after the failure, %v in a clean run", f, c)
			}
		})
	}
}

// drainThroughFailures invokes the sink until an invocation succeeds with
// nothing more to read, and returns how many invocations failed.
func drainThroughFailures(t *testing.T, r *rig, name string, cfg map[string]string) int {
	t.Helper()
	failed := 0
	for i := 0; i < 20; i++ {
		res, err := r.H.Handle(context.Background(), r.Invocation(name, cfg))
		if err != nil || res.State != functions.StateRunning {
			failed++
			if res.State == functions.StateFailed && !strings.Contains(res.Trace, "503") && !strings.Contains(res.Trace, "SlowDown") {
				t.Fatalf("invocation %d failed for good: %v (%s)", i, err, res.Trace)
			}
			continue
		}
		if !res.More {
			r.Drain(name, cfg) // waits for the commit to be readable
			return failed
		}
	}
	t.Fatalf("%s did not finish in 20 invocations", name)
	return failed
}
