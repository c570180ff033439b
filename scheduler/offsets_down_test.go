package scheduler

import (
	"context"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
)

// downGroups is a consumer-group admin whose Kafka is unreachable: every call
// fails with err, as franz-go reports a refused dial or a spent deadline.
type downGroups struct{ err error }

func (g downGroups) FetchOffsets(context.Context, string) (kadm.OffsetResponses, error) {
	return nil, g.err
}

func (g downGroups) CommitOffsets(context.Context, string, kadm.Offsets) (kadm.OffsetResponses, error) {
	return nil, g.err
}

func (g downGroups) DeleteOffsets(context.Context, string, kadm.TopicsSet) (kadm.DeleteOffsetsResponses, error) {
	return nil, g.err
}

func (g downGroups) DeleteGroup(context.Context, string) (kadm.DeleteGroupResponse, error) {
	return kadm.DeleteGroupResponse{}, g.err
}

// TestSinkOffsetsKafkaDown checks that the sink offsets endpoints answer a
// retriable 503 that says what happened when Kafka does not answer
// (regression: GET /connectors/{sink}/offsets answered 500).
func TestSinkOffsetsKafkaDown(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, err := range []error{refused, context.DeadlineExceeded} {
		s := newTestScheduler(t, newFakeStore(), nil)
		s.o.Groups = downGroups{err: err}
		h := s.Handler()
		if code, body, _ := call(t, h, "POST", "/connectors", sinkBody); code != http.StatusCreated {
			t.Fatalf("create: %d %s", code, body)
		}
		for _, r := range []req{
			{"GET", "/connectors/snk/offsets", ""},
			{"PUT", "/connectors/snk/stop", ""},
			{"PATCH", "/connectors/snk/offsets", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":5}}]}`},
			{"DELETE", "/connectors/snk/offsets", ""},
		} {
			code, body, _ := call(t, h, r.method, r.path, r.body)
			if r.path == "/connectors/snk/stop" {
				continue
			}
			if code != http.StatusServiceUnavailable || !strings.Contains(body, "Kafka did not answer") || !strings.Contains(body, "connect-snk") {
				t.Errorf("%v: %s %s: %d %s, want a 503 naming the group", err, r.method, r.path, code, body)
			}
		}
	}
}

// TestConfigLargerThanAnInvocation checks that a config too large for an
// invocation is refused when submitted, naming the limit (regression: a body
// just under 1 MiB was stored, then FAILED forever with "nats: maximum
// payload exceeded").
func TestConfigLargerThanAnInvocation(t *testing.T) {
	big := strings.Repeat("x", MaxConfigBytes)
	fits := strings.Repeat("x", MaxConfigBytes-200)
	h := newTestScheduler(t, newFakeStore(), nil).Handler()
	tests := []struct {
		r    req
		code int
	}{
		{req{"POST", "/connectors", `{"name":"big","config":{"connector.class":"TestSource","tables":"x","big":"` + big + `"}}`}, 400},
		{req{"PUT", "/connectors/big/config", `{"connector.class":"TestSource","tables":"x","big":"` + big + `"}`}, 400},
		{req{"POST", "/connectors", `{"name":"fits","config":{"connector.class":"TestSource","tables":"x","big":"` + fits + `"}}`}, 201},
	}
	for _, tt := range tests {
		code, body, _ := call(t, h, tt.r.method, tt.r.path, tt.r.body)
		if code != tt.code || (code == 400 && !strings.Contains(body, "more than the 524288 bytes (MaxConfigBytes)")) {
			t.Errorf("%s %s: %d %.300s, want %d", tt.r.method, tt.r.path, code, body, tt.code)
		}
	}
}
