package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/transport"
	"github.com/ferryhq/ferry/scheduler"
	"github.com/ferryhq/ferry/state/open"
)

// inLambda reports whether the process was started by the AWS Lambda runtime
// (or the runtime interface emulator) as a function's bootstrap.
func inLambda() bool { return os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" }

// runLambda serves Lambda invocations until the runtime stops the process.
// Its settings come from the function's environment (FERRY_STATE,
// FERRY_BOOTSTRAP_SERVERS, FERRY_LAMBDA_MARGIN, FERRY_LOG_LEVEL), never from
// the invocation payload; secrets in connector configs are resolved by the
// config providers.
func runLambda(ctx context.Context) error {
	s := settings{stateSpec: env("state", ""), bootstrap: env("bootstrap-servers", ""), logLevel: env("log-level", "info")}
	log := s.logger()
	if s.stateSpec == "" || s.bootstrap == "" {
		return errors.New("the Lambda function needs FERRY_STATE and FERRY_BOOTSTRAP_SERVERS in its environment")
	}
	store, err := open.Open(ctx, s.stateSpec)
	if err != nil {
		return err
	}
	defer store.Close()
	h, err := functions.NewHandler(functions.Options{Plugins: builtin.Registry(), Store: store,
		Seeds: seeds(s.bootstrap), InstanceID: os.Getenv("AWS_LAMBDA_FUNCTION_NAME"), Logger: log})
	if err != nil {
		return err
	}
	defer h.Close()
	transport.ServeLambda(ctx, transport.NewLambdaEntry(h, envDuration("lambda-margin", transport.DefaultLambdaMargin)))
	return nil
}

// lambdaSettings are the flags of Lambda dispatch, shared by `ferry scheduler
// --dispatch lambda` and `ferry lambda-bridge`.
type lambdaSettings struct {
	function, endpoint          string
	concurrency, total, retries int
}

func (l *lambdaSettings) register(fs *flag.FlagSet) {
	fs.StringVar(&l.function, "lambda-function", env("lambda-function", ""), "Lambda function name or ARN to invoke"+envNote("lambda-function"))
	fs.StringVar(&l.endpoint, "lambda-endpoint", env("lambda-endpoint", ""), "Lambda API endpoint for emulators (http://127.0.0.1:9001); empty = AWS"+envNote("lambda-endpoint"))
	fs.IntVar(&l.concurrency, "lambda-concurrency", envInt("lambda-concurrency", 10), "Lambda invocations in flight per connector"+envNote("lambda-concurrency"))
	fs.IntVar(&l.total, "lambda-max-in-flight", envInt("lambda-max-in-flight", 0), "Lambda invocations in flight in total, like the function's reserved concurrency (0 = no bound; 1 for the emulator)"+envNote("lambda-max-in-flight"))
	fs.IntVar(&l.retries, "lambda-retries", envInt("lambda-retries", 6), "retries of a throttled invocation, with backoff from 200ms doubling to 10s"+envNote("lambda-retries"))
}

func (l *lambdaSettings) bridge(ctx context.Context) (*transport.Lambda, error) {
	if l.function == "" {
		return nil, errors.New("Lambda dispatch needs --lambda-function (or FERRY_LAMBDA_FUNCTION)")
	}
	cl, err := transport.NewLambdaClient(ctx, l.endpoint)
	if err != nil {
		return nil, err
	}
	retries := l.retries
	if retries == 0 {
		retries = -1 // transport.LambdaOptions: 0 means the default, below 0 none
	}
	return transport.NewLambda(cl, transport.LambdaOptions{Function: l.function, Concurrency: l.concurrency,
		MaxInFlight: l.total, Retries: retries}), nil
}

// schedulerDispatcher picks the scheduler's dispatcher from --dispatch; the
// returned func closes what it opened.
func schedulerDispatcher(ctx context.Context, dispatch string, s *settings, l *lambdaSettings, log *slog.Logger) (scheduler.Dispatcher, func(), error) {
	switch dispatch {
	case "lambda":
		b, err := l.bridge(ctx)
		return b, func() {}, err
	case "nats", "":
		if s.natsURL == "" {
			return nil, nil, errors.New("--dispatch nats needs --nats-url (or FERRY_NATS_URL)")
		}
		nc, err := connectNATS(s.natsURL, "ferry-scheduler", log)
		if err != nil {
			return nil, nil, err
		}
		return transport.NewNATSDispatcher(nc).OnSubject(s.natsSubject), nc.Close, nil
	}
	return nil, nil, fmt.Errorf("--dispatch %q: want nats or lambda", dispatch)
}

// runLambdaBridge forwards invocations from the NATS subject to Lambda, so a
// scheduler dispatching over NATS can run its tasks on Lambda.
func runLambdaBridge(ctx context.Context, args []string) error {
	var s settings
	var l lambdaSettings
	fs := flag.NewFlagSet("lambda-bridge", flag.ContinueOnError)
	s.register(fs, "nc")
	l.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := s.logger()
	if s.natsURL == "" {
		return errors.New("lambda-bridge needs --nats-url (or FERRY_NATS_URL)")
	}
	b, err := l.bridge(ctx)
	if err != nil {
		return err
	}
	nc, err := connectNATS(s.natsURL, "ferry-lambda-bridge", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	log.Info("forwarding invocations to Lambda", "function", l.function, "endpoint", l.endpoint)
	return transport.NewWorker(nc, b, s.concurrency, log).OnSubject(s.natsSubject).Run(ctx)
}
