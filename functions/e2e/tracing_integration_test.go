//go:build integration

package e2e

import (
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpSpan is one span as the receiver got it.
type otlpSpan struct {
	service, name, trace, id, parent string
}

// otlpReceiver is a stand-in for an OpenTelemetry Collector: an OTLP/HTTP
// endpoint (POST /v1/traces, protobuf) decoding requests with OpenTelemetry's
// own OTLP protobuf definitions (go.opentelemetry.io/proto/otlp). No
// Collector or Jaeger binary can be fetched here.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []otlpSpan
}

func (r *otlpReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	var msg coltrace.ExportTraceServiceRequest
	if req.URL.Path != "/v1/traces" || proto.Unmarshal(b, &msg) != nil {
		http.Error(w, "want OTLP/HTTP protobuf on /v1/traces", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	for _, rs := range msg.ResourceSpans {
		service := ""
		for _, a := range rs.GetResource().GetAttributes() {
			if a.Key == "service.name" {
				service = a.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				r.spans = append(r.spans, span(service, s))
			}
		}
	}
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	_, _ = w.Write(out)
}

func span(service string, s *tracepb.Span) otlpSpan {
	return otlpSpan{service: service, name: s.Name, trace: hex.EncodeToString(s.TraceId),
		id: hex.EncodeToString(s.SpanId), parent: hex.EncodeToString(s.ParentSpanId)}
}

func (r *otlpReceiver) all() []otlpSpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]otlpSpan(nil), r.spans...)
}

// TestTracing runs datagen -> Kafka -> file with OTEL_EXPORTER_OTLP_ENDPOINT
// set on the scheduler and the worker and checks that each invocation is one
// trace: the scheduler's dispatch span, the function's invocation span as its
// child across NATS, and the function's step spans under that.
func TestTracing(t *testing.T) {
	rcv := &otlpReceiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	c := newClusterWith(t, 10, "OTEL_EXPORTER_OTLP_ENDPOINT="+srv.URL, "OTEL_BSP_SCHEDULE_DELAY=200")
	start(t, c.env, "worker", "--concurrency", "4")
	const n = 2000
	out := filepath.Join(t.TempDir(), "orders.txt")
	topic := datagenToFile(c, n, out)
	waitFor(t, 2*time.Minute, "2,000 records in the sink file", func() bool {
		lines, _, _ := sinkCounts(t, out)
		return lines >= n
	})
	want := map[string][]string{ // the steps each kind of invocation shows
		topic + "-src":  {"load offsets", "poll", "produce", "commit"},
		topic + "-sink": {"load offsets", "fetch and put", "flush", "commit"},
	}
	waitFor(t, 30*time.Second, "a complete trace of a source and a sink invocation", func() bool {
		return len(completeTraces(rcv.all(), want)) == len(want)
	})
	spans := rcv.all()
	traces := map[string]int{} // dispatch spans per trace: one invocation, one trace
	for _, s := range spans {
		if strings.HasPrefix(s.name, "dispatch ") {
			traces[s.trace]++
		}
	}
	for id, n := range traces {
		if n != 1 {
			t.Errorf("trace %s holds %d dispatch spans, want one trace per invocation", id, n)
		}
	}
	t.Logf("%d spans in %d traces; complete traces: %v", len(spans), len(traces), completeTraces(spans, want))
}

// completeTraces returns, per connector of want, a trace in which the
// scheduler's "dispatch C" span (ferry-scheduler) is the parent of the
// function's "invocation C" span (ferry-worker), itself the parent of every
// step span named in want.
func completeTraces(spans []otlpSpan, want map[string][]string) map[string]string {
	out := map[string]string{}
	for _, d := range spans {
		conn, isDispatch := strings.CutPrefix(d.name, "dispatch ")
		steps, ok := want[conn]
		if d.service != "ferry-scheduler" || !isDispatch || !ok {
			continue
		}
		for _, inv := range spans {
			if inv.service != "ferry-worker" || inv.name != "invocation "+conn || inv.parent != d.id || inv.trace != d.trace {
				continue
			}
			seen := map[string]bool{}
			for _, s := range spans {
				if s.parent == inv.id && s.trace == inv.trace {
					seen[s.name] = true
				}
			}
			all := true
			for _, st := range steps {
				all = all && seen[st]
			}
			if all {
				out[conn] = d.trace
			}
		}
	}
	return out
}
