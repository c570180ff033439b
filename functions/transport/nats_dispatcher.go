// Package transport carries the wire contract (package wire) between the
// scheduler and the functions: the NATS dispatcher and the NATS worker host,
// the Lambda dispatcher (also hosted behind NATS as `ferry lambda-bridge`) and
// the Lambda entry. Each dispatcher implements the scheduler's one-method
// Dispatcher; each host runs invocations on an Invoker (*functions.Handler).
package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions/wire"
)

// ErrNoWorker is returned by NATSDispatcher when nothing subscribes to the
// invocation subject: the operator must start a worker.
var ErrNoWorker = errors.New("no ferry worker is listening on the NATS invocation subject: start `ferry worker`")

// ErrNoReply is returned by NATSDispatcher when an invocation got no reply
// within its deadline plus grace: the worker may have died or be overloaded.
var ErrNoReply = errors.New("no reply from a ferry worker before the invocation deadline")

// replyGrace is added to an invocation's deadline before the dispatcher gives
// up waiting: the function needs time to commit and reply after its deadline.
const replyGrace = 5 * time.Second

// NATSDispatcher sends invocations as NATS requests on wire.Subject;
// workers in the queue group wire.QueueGroup reply with a Result. Bodies
// are JSON both ways.
type NATSDispatcher struct {
	nc      *nats.Conn
	subject string
	signer  *Signer
	grace   time.Duration
}

// NewNATSDispatcher returns a dispatcher over an open connection, which the
// caller keeps owning (and closes), signing every invocation with signer.
func NewNATSDispatcher(nc *nats.Conn, signer *Signer) *NATSDispatcher {
	return &NATSDispatcher{nc: nc, subject: wire.Subject, signer: signer, grace: replyGrace}
}

// OnSubject sends invocations on subject instead of wire.Subject, so
// several ferry clusters can share one NATS server.
func (d *NATSDispatcher) OnSubject(subject string) *NATSDispatcher {
	if subject != "" {
		d.subject = subject
	}
	return d
}

// Dispatch sends inv and waits until its deadline plus a grace period for the
// result. A missing worker, a timeout or a NATS failure is a *connectors.RetriableError.
func (d *NATSDispatcher) Dispatch(ctx context.Context, inv wire.Invocation) (wire.Result, error) {
	body, err := d.signer.Sign(ctx, inv)
	if err != nil {
		return wire.Result{}, err
	}
	wait := d.grace
	if !inv.Deadline.IsZero() {
		wait += time.Until(inv.Deadline)
	}
	rctx, cancel := context.WithTimeout(ctx, max(wait, d.grace))
	defer cancel()
	msg, err := d.nc.RequestWithContext(rctx, d.subject, body)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return wire.Result{}, &connectors.RetriableError{Err: fmt.Errorf("%w (subject %s)", ErrNoWorker, d.subject)}
	case err != nil && ctx.Err() == nil && rctx.Err() != nil:
		return wire.Result{}, &connectors.RetriableError{Err: fmt.Errorf("invocation %s: %w (waited %s)", inv.ID, ErrNoReply, wait.Round(time.Millisecond))}
	case err != nil:
		return wire.Result{}, &connectors.RetriableError{Err: fmt.Errorf("sending invocation %s over NATS: %w", inv.ID, err)}
	}
	var res wire.Result
	if err := json.Unmarshal(msg.Data, &res); err != nil {
		return wire.Result{}, fmt.Errorf("invocation %s: the worker replied with something that is not a JSON Result (%w): %.200q", inv.ID, err, msg.Data)
	}
	return res, nil
}

// RTT measures a round trip to the NATS server, for the metrics.
func (d *NATSDispatcher) RTT() (time.Duration, error) { return d.nc.RTT() }
