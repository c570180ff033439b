//go:build integration

package transport

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions/wire"
)

func TestNATSDispatcher(t *testing.T) {
	nc := startNATS(t)
	d := NewNATSDispatcher(nc, NewSigner(testStore(t), 0))
	d.grace = 200 * time.Millisecond
	inv := wire.Invocation{ID: "a-0-7", Connector: "a", Task: 0, Epoch: 7, Class: "c", Deadline: time.Now().Add(time.Second)}
	ctx := context.Background()

	t.Run("no worker listening", func(t *testing.T) {
		_, err := d.Dispatch(ctx, inv)
		var re *connectors.RetriableError
		if !errors.Is(err, ErrNoWorker) || !errors.As(err, &re) ||
			err.Error() != "no ferry worker is listening on the NATS invocation subject: start `ferry worker` (subject ferry.invoke)" {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("request and reply", func(t *testing.T) {
		respond(t, startNATSClient(t, nc.ConnectedUrl()))
		res, err := d.Dispatch(ctx, inv)
		if err != nil || res.ID != "a-0-7" || res.Epoch != 7 || res.State != wire.StateRunning || res.InstanceID != "bench-worker" {
			t.Fatalf("res = %+v, err = %v", res, err)
		}
	})

	t.Run("no reply before deadline", func(t *testing.T) {
		worker := startNATSClient(t, nc.ConnectedUrl())
		sub, err := worker.QueueSubscribe(wire.Subject, wire.QueueGroup, func(m *nats.Msg) {})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Unsubscribe()
		_ = worker.Flush()
		late := inv
		late.Deadline = time.Now()
		start := time.Now()
		_, err = d.Dispatch(ctx, late)
		var re *connectors.RetriableError
		if !errors.Is(err, ErrNoReply) || !errors.As(err, &re) {
			t.Fatalf("err = %v", err)
		}
		if el := time.Since(start); el < 150*time.Millisecond || el > 2*time.Second {
			t.Errorf("waited %v; want about the grace period", el)
		}
	})

	t.Run("garbage reply", func(t *testing.T) {
		worker := startNATSClient(t, nc.ConnectedUrl())
		sub, err := worker.QueueSubscribe(wire.Subject, wire.QueueGroup, func(m *nats.Msg) { _ = m.Respond([]byte("oops")) })
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Unsubscribe()
		_ = worker.Flush()
		if _, err := d.Dispatch(ctx, inv); err == nil {
			t.Fatal("no error for a reply that is not a Result")
		}
	})
}
