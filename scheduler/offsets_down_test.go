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
