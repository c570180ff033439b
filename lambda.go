package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferryhq/ferry/connectors/workerconfig"
	"github.com/ferryhq/ferry/functions/transport"
	"github.com/ferryhq/ferry/scheduler"
	"github.com/ferryhq/ferry/state/open"
)

// lambdaDispatcher is Lambda dispatch as the worker configures it, signing
// invocations with the keys in store.
func lambdaDispatcher(ctx context.Context, l workerconfig.Lambda, store transport.KeyStore) (*transport.Lambda, error) {
	if l.LambdaFunction == "" {
		return nil, errors.New("Lambda dispatch needs ferry.lambda.function (--lambda-function, FERRY_LAMBDA_FUNCTION)")
	}
	cl, err := transport.NewLambdaClient(ctx, l.LambdaEndpoint)
	if err != nil {
		return nil, err
	}
	retries := l.LambdaRetries
	if retries == 0 {
		retries = -1 // transport.LambdaOptions: 0 means the default, below 0 none
	}
	return transport.NewLambda(cl, transport.NewSigner(store, 0), transport.LambdaOptions{Function: l.LambdaFunction, Concurrency: l.LambdaConcurrency,
		MaxInFlight: l.LambdaMaxInFlight, Retries: retries}), nil
}

// schedulerDispatcher picks the scheduler's dispatcher from ferry.dispatch;
// the returned func closes what it opened. Invocations are signed with the
// keys in store.
func schedulerDispatcher(ctx context.Context, p *proc, store transport.KeyStore) (scheduler.Dispatcher, func(), error) {
	switch p.Dispatch {
	case "lambda":
		b, err := lambdaDispatcher(ctx, p.Lambda, store)
		return b, func() {}, err
	case "nats":
		if p.NATSURL == "" {
			return nil, nil, errors.New("dispatch over NATS needs ferry.nats.url (--nats-url, FERRY_NATS_URL)")
		}
		nc, err := connectNATS(p, "ferry-scheduler")
		if err != nil {
			return nil, nil, err
		}
		return transport.NewNATSDispatcher(nc, transport.NewSigner(store, 0)).OnSubject(p.NATSSubject), nc.Close, nil
	}
	return nil, nil, fmt.Errorf("ferry.dispatch=%q: want nats or lambda", p.Dispatch)
}

// runLambdaBridge forwards invocations from the NATS subject to Lambda, so a
// scheduler dispatching over NATS can run its tasks on Lambda.
func runLambdaBridge(ctx context.Context, args []string) error {
	p, err := load(ctx, "lambda-bridge", args, false)
	if err != nil {
		return err
	}
	if p.NATSURL == "" || p.State == "" {
		return errors.New("lambda-bridge needs ferry.nats.url and ferry.state, the scheduler's state store, whose key signs invocations (--nats-url, --state; FERRY_NATS_URL, FERRY_STATE)")
	}
	store, err := open.ForWorker(ctx, p.State, p.Worker, p.log)
	if err != nil {
		return err
	}
	defer store.Close()
	b, err := lambdaDispatcher(ctx, p.Lambda, store)
	if err != nil {
		return err
	}
	nc, err := connectNATS(p, "ferry-lambda-bridge")
	if err != nil {
		return err
	}
	defer nc.Close()
	p.log.Info("forwarding invocations to Lambda", "function", p.LambdaFunction, "endpoint", p.LambdaEndpoint)
	return transport.NewWorker(nc, b, transport.NewVerifier(store), p.Concurrency, p.log).OnSubject(p.NATSSubject).Run(ctx)
}
