// Package lambdarun is ferry's AWS Lambda function: it serves task
// invocations from the Lambda runtime with the connectors it is given. Both
// the full ferry command (which serves Lambda when AWS_LAMBDA_RUNTIME_API is
// set) and the trimmed Lambda build (functions/lambda, `make lambda`) run it,
// so the trimmed build leaves out the scheduler, the REST API and the NATS
// server without copying the function's code.
package lambdarun

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/ferryhq/ferry/connectors/workerconfig"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/transport/lambdaentry"
	"github.com/ferryhq/ferry/functions/transport/signing"
	"github.com/ferryhq/ferry/state"
	kstate "github.com/ferryhq/ferry/state/kafka"
	"github.com/ferryhq/ferry/state/open"
	"github.com/ferryhq/ferry/transforms"
	"github.com/twmb/franz-go/pkg/kgo"
)

// InLambda reports whether the process was started by the AWS Lambda runtime
// (or the runtime interface emulator) as a function's bootstrap.
func InLambda() bool { return os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" }

// WorkerFile is the worker .properties file packaged with the function
// ($LAMBDA_TASK_ROOT/worker.properties), read when it exists.
func WorkerFile() string {
	return filepath.Join(os.Getenv("LAMBDA_TASK_ROOT"), "worker.properties")
}

// Plugins are the classes a function serves: connectors, and
// transformations and predicates (nil Transforms: the built-in ones).
type Plugins struct {
	Connectors *connectors.Registry
	Transforms *transforms.Registry
}

// Options are the function handler's settings from the worker
// configuration w: the classes in plugins, offsets in store, instance as
// the handler's id.
func Options(w *workerconfig.Worker, plugins Plugins, store functions.OffsetStore, instance string, log *slog.Logger) functions.Options {
	return functions.Options{Plugins: plugins.Connectors, Transforms: plugins.Transforms, Store: store, Seeds: w.BootstrapServers,
		InstanceID: instance, Logger: log, Worker: w.Props, Kafka: w.Props, OffsetsTopics: kafkaOffsets}
}

// kafkaOffsets opens the offsets topic of exactly-once sources (state/kafka).
func kafkaOffsets(seeds []string, topic string, opts ...kgo.Opt) functions.OffsetsTopic {
	return kstate.New(seeds, topic, opts...)
}

// Run serves Lambda invocations with the connectors in plugins until the
// runtime stops the process. Its settings come from the worker file in the
// package (or FERRY_WORKER_CONFIG) and FERRY_* environment variables, never
// from the invocation payload. log is nil for a text logger on stderr at
// ferry.log.level.
func Run(ctx context.Context, plugins Plugins, log *slog.Logger) error {
	w, err := workerconfig.Load(ctx, nil, os.LookupEnv, WorkerFile())
	if err != nil {
		return err
	}
	if log == nil {
		log = logger(w)
	}
	if w.State == "" || len(w.BootstrapServers) == 0 {
		return errors.New("the Lambda function needs ferry.state and bootstrap.servers: in worker.properties in its package or FERRY_STATE and FERRY_BOOTSTRAP_SERVERS in its environment")
	}
	// The Kafka producer is set up while the state store's connection is
	// made (several round trips to Redis): both are part of every cold
	// start. The store opens on this goroutine, so its first round trip
	// starts at once; the handler's goroutine runs while it waits.
	ref := &storeRef{}
	built := make(chan handlerResult, 1)
	go func() {
		h, err := functions.NewHandler(Options(w, plugins, ref, os.Getenv("AWS_LAMBDA_FUNCTION_NAME"), log))
		built <- handlerResult{h, err}
	}()
	store, serr := open.ForFunction(ctx, w.State, w, log)
	hr := <-built
	if serr != nil || hr.err != nil {
		if hr.err == nil {
			hr.h.Close()
		}
		if serr == nil {
			store.Close()
		}
		return errors.Join(serr, hr.err)
	}
	h := hr.h
	ref.Store = store // set before the first invocation is served
	defer store.Close()
	defer h.Close()
	var inv lambdaentry.Invoker = h
	if w.MetricsEnable { // one CloudWatch Embedded Metric Format line per invocation on stdout
		inv = lambdaentry.NewEMF(h, os.Stdout, "")
	}
	lambdaentry.ServeLambda(ctx, lambdaentry.NewLambdaEntry(inv, signing.NewVerifier(store), time.Duration(w.LambdaMargin)*time.Millisecond))
	return nil
}

// handlerResult is the outcome of functions.NewHandler.
type handlerResult struct {
	h   *functions.Handler
	err error
}

// storeRef is the handler's state store, set once it is open and before
// any invocation.
type storeRef struct{ state.Store }

// logger is a text logger on stderr at the worker's ferry.log.level, after
// logging the worker keys ferry ignores or does not know.
func logger(w *workerconfig.Worker) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(w.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	w.LogNotices(log)
	LogKafkaProblems(w.Props, log)
	return log
}

// LogKafkaProblems logs, once at start, the worker's producer./consumer./admin.
// keys ferry cannot honour.
func LogKafkaProblems(props map[string]string, log *slog.Logger) {
	cfg, err := kafkaclient.New(props)
	if err != nil {
		return // NewHandler and the scheduler's group admin report it
	}
	problems := cfg.WorkerProblems()
	for _, k := range slices.Sorted(maps.Keys(problems)) {
		log.Warn("worker Kafka client key not applied", "key", k, "reason", problems[k])
	}
}

// Main is a Lambda function's main: Run with plugins, exiting 1 with the
// error when it fails to start.
func Main(plugins Plugins) {
	if err := Run(context.Background(), plugins, nil); err != nil {
		fmt.Fprintf(os.Stderr, "ferry: %v\n", err)
		os.Exit(1)
	}
}
