package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"

	"github.com/ferryhq/ferry/functions/transport/signing"
	"github.com/ferryhq/ferry/functions/wire"
)

// Invoker runs one invocation; *functions.Handler is the implementation.
type Invoker interface {
	Handle(ctx context.Context, inv wire.Invocation) (wire.Result, error)
}

// Worker hosts function instances in this process: it takes invocations from
// the NATS subject in the queue group and runs up to Concurrency at a time.
type Worker struct {
	nc          *nats.Conn
	subject     string
	invoker     Invoker
	verifier    *Verifier
	concurrency int
	log         *slog.Logger
	// serving is set while the queue subscriptions are open.
	serving atomic.Bool
}

// NewWorker returns a worker running on inv the invocations v admits
// (signed by the scheduler, at the task's current epoch); concurrency below 1
// means 1.
func NewWorker(nc *nats.Conn, inv Invoker, v *Verifier, concurrency int, log *slog.Logger) *Worker {
	if log == nil {
		log = slog.Default()
	}
	return &Worker{nc: nc, subject: wire.Subject, invoker: inv, verifier: v, concurrency: max(concurrency, 1), log: log}
}

// OnSubject makes the worker take invocations from subject instead of
// wire.Subject, so several ferry clusters can share one NATS server.
func (w *Worker) OnSubject(subject string) *Worker {
	if subject != "" {
		w.subject = subject
	}
	return w
}

// Run serves invocations until ctx is done, then drains in-flight ones.
// Each of the Concurrency slots holds its own queue subscription, so NATS
// hands an invocation only to a slot of some worker, and a slot runs one at a time.
func (w *Worker) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	subs := make([]*nats.Subscription, 0, w.concurrency)
	defer func() {
		for _, s := range subs {
			_ = s.Unsubscribe()
		}
	}()
	for i := 0; i < w.concurrency; i++ {
		sub, err := w.nc.QueueSubscribeSync(w.subject, wire.QueueGroup)
		if err != nil {
			return fmt.Errorf("subscribing to NATS subject %s: %w", w.subject, err)
		}
		subs = append(subs, sub)
		wg.Add(1)
		go func() { defer wg.Done(); w.serve(ctx, sub) }()
	}
	if err := w.nc.Flush(); err != nil {
		return fmt.Errorf("NATS flush: %w", err)
	}
	w.log.Info("worker ready", "subject", w.subject, "queue", wire.QueueGroup, "concurrency", w.concurrency)
	w.serving.Store(true)
	<-ctx.Done()
	w.serving.Store(false)
	for _, s := range subs {
		_ = s.Unsubscribe()
	}
	wg.Wait()
	return nil
}

// Serving reports why the worker cannot take invocations now, or nil:
// its subscriptions are open and NATS is connected.
func (w *Worker) Serving() error {
	switch {
	case !w.serving.Load():
		return errors.New("not subscribed to the invocation subject: the worker is starting or stopping")
	case !w.nc.IsConnected():
		return fmt.Errorf("NATS not connected (%s)", w.nc.Status())
	}
	return nil
}

func (w *Worker) serve(ctx context.Context, sub *nats.Subscription) {
	for {
		msg, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			return
		}
		w.respond(ctx, msg)
	}
}

// respond verifies, runs and answers one invocation. A malformed, unsigned,
// forged or stale payload gets a FAILED or FENCED result naming the problem,
// instead of being dropped or run.
func (w *Worker) respond(ctx context.Context, msg *nats.Msg) {
	inv, refused := signing.Admit(ctx, w.verifier, msg.Data, w.log)
	var res wire.Result
	if refused != nil {
		res = *refused
	} else {
		var err error
		res, err = w.invoker.Handle(context.WithoutCancel(ctx), inv)
		if err != nil {
			w.log.Debug("invocation ended", "id", inv.ID, "state", res.State, "trace", res.Trace)
		}
	}
	body, _ := json.Marshal(res)
	if err := msg.Respond(body); err != nil {
		w.log.Warn("could not reply to invocation", "id", inv.ID, "err", err)
	}
}
