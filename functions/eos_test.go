package functions

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kerr"
)

func TestTransactionalIDAndOffsetsTopic(t *testing.T) {
	for _, tc := range []struct {
		worker    map[string]string
		connTopic string
		id, topic string
	}{
		{nil, "", "ferry-orders-2", "connect-offsets"},
		{map[string]string{"group.id": "connect-cluster", "offset.storage.topic": "my-offsets"}, "", "connect-cluster-orders-2", "my-offsets"},
		{map[string]string{"offset.storage.topic": "my-offsets"}, "orders-offsets", "ferry-orders-2", "orders-offsets"},
	} {
		inv := Invocation{Connector: "orders", Task: 2}
		cfg := connectors.SourceConnectorConfig{OffsetsTopic: tc.connTopic}
		if got := TransactionalID(tc.worker, inv); got != tc.id {
			t.Errorf("TransactionalID = %q, want %q", got, tc.id)
		}
		if got := offsetsTopic(tc.worker, &cfg); got != tc.topic {
			t.Errorf("offsetsTopic = %q, want %q", got, tc.topic)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("commit: %w", state.ErrFenced), StateFenced},
		{producerFenced("ferry-c-0", kerr.ProducerFenced), StateFenced},
		{producerFenced("ferry-c-0", errors.New("broker gone")), StateRetrying},
		{&RecordError{Stage: StageTaskPut, Err: connectors.Retriable(errors.New("down"))}, StateRetrying},
		{state.Retriable(errors.New("redis down")), StateRetrying},
		{fmt.Errorf("Tolerance exceeded in error handler: %w", &RecordError{Stage: StageValueConverter, Err: connectors.DataError("bad")}), StateFailed},
		{fmt.Errorf("%w: bad class", ErrInvocation), StateFailed},
	} {
		if got, _ := classify(tc.err); got != tc.want {
			t.Errorf("classify(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

func TestPermanentProduceError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{kerr.MessageTooLarge, true},
		{fmt.Errorf("x: %w", kerr.InvalidRecord), true},
		{kerr.NotLeaderForPartition, false},
		{errors.New("dial tcp: connection refused"), false},
	} {
		if got := permanentProduceError(tc.err); got != tc.want {
			t.Errorf("permanentProduceError(%v) = %v", tc.err, got)
		}
	}
}

// The fence refuses an invocation whose deadline passed before asking the store.
func TestFenceDeadline(t *testing.T) {
	h := &Handler{o: Options{Store: nil}}
	err := h.fence(t.Context(), Invocation{Deadline: time.Now().Add(-time.Second)}, "committing")
	if !errors.Is(err, state.ErrFenced) {
		t.Fatalf("fence after the deadline: %v, want ErrFenced", err)
	}
}
