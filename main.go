// Command ferry runs Kafka Connect's connectors as short-lived function
// invocations. Subcommands: standalone (everything in one process), scheduler
// (REST API and dispatch), worker (function host on NATS), version. With
// AWS_LAMBDA_RUNTIME_API set it serves Lambda invocations instead. Every
// command reads the one declared worker configuration (connectors/workerconfig).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"

	"github.com/ferryhq/ferry/connectors/workerconfig"
	"github.com/ferryhq/ferry/functions/lambdarun"
	"github.com/ferryhq/ferry/scheduler"
	"github.com/ferryhq/ferry/state/open"
	"github.com/ferryhq/ferry/transforms/apply"
)

// Version is ferry's version, set at build time with -ldflags "-X main.Version=...".
var Version = "0.1.0-dev"

const usage = `ferry — Kafka Connect as a function runtime

Usage:
  ferry standalone [flags] [worker.properties] [connector.json|connector.properties ...]
  ferry scheduler  [flags] [worker.properties]
  ferry worker     [flags] [worker.properties]
  ferry migrate plan|standalone [flags] [worker.properties]   (see ferry migrate --help)
  ferry transforms apply --config FILE [--input records|bytes] [--output records|bytes]
  ferry build --with MODULE[@VERSION][=DIR] [--with ...] [--connectors a,b] [--lambda] -o OUT
  ferry lambda-bridge [flags] [worker.properties]
  ferry health URL         (exit 0 when URL answers 200: container health checks)
  ferry version

Every command reads a Kafka Connect worker .properties file (connect-distributed.properties
works unchanged); FERRY_* environment variables override it and flags, given anywhere on
the command line, override both. Run "ferry <command> --help" for the flags.
`

func main() {
	if lambdarun.InLambda() {
		shutdownTracing, err := setupTracing(context.Background(), "ferry-lambda") // off unless OTEL_* asks for it
		if err == nil {
			defer shutdownTracing()
			err = lambdarun.Run(context.Background(), plugins(), nil)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "ferry: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shutdownTracing, err := setupTracing(ctx, "ferry-"+os.Args[1]) // off unless OTEL_* asks for it
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferry: %v\n", err)
		os.Exit(1)
	}
	defer shutdownTracing()
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "standalone":
		err = runStandalone(ctx, args)
	case "scheduler":
		err = runScheduler(ctx, args)
	case "worker":
		err = runWorker(ctx, args)
	case "migrate":
		err = runMigrate(ctx, args, os.Stdout)
	case "transforms":
		err = apply.MainWith(ctx, plugins().Transforms, args, os.Stdin, os.Stdout)
	case "build":
		err = runBuild(ctx, args)
	case "health":
		err = runHealth(ctx, args)
	case "lambda-bridge":
		err = runLambdaBridge(ctx, args)
	case "version", "--version":
		fmt.Printf("ferry %s (%s, %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "ferry: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if errors.Is(err, workerconfig.ErrHelp) {
		fmt.Fprint(os.Stderr, usage+"\nFlags:\n")
		workerconfig.Usage(os.Stderr, os.Args[1])
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferry: %v\n", err)
		os.Exit(1)
	}
}

// proc is one command's worker configuration and logging.
type proc struct {
	*workerconfig.Worker
	log *slog.Logger
	// loggers hold the levels served by /admin/loggers; logBase lets every level through.
	loggers *scheduler.Loggers
	logBase slog.Handler
}

// load reads the worker configuration (file, FERRY_* env, flags) and logs,
// once, the keys ferry ignores or does not know. positional says whether
// the command takes arguments besides the worker file.
func load(ctx context.Context, cmd string, args []string, positional bool) (*proc, error) {
	w, err := workerconfig.Load(ctx, args, os.LookupEnv, "")
	if err != nil {
		return nil, err
	}
	if !positional && len(w.Args) > 0 {
		return nil, fmt.Errorf("%s takes no arguments besides a worker .properties file, got %q", cmd, w.Args)
	}
	return newProc(w), nil
}

func newProc(w *workerconfig.Worker) *proc {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(w.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	p := &proc{Worker: w, loggers: scheduler.NewLoggers(&lvl),
		logBase: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.Level(-1 << 20)})}
	p.log = p.loggers.Logger(scheduler.RootLogger, p.logBase)
	if w.File != "" {
		p.log.Info("worker configuration read", "file", w.File)
	}
	w.LogNotices(p.log)
	lambdarun.LogKafkaProblems(w.Props, p.log)
	return p
}

func runScheduler(ctx context.Context, args []string) error {
	p, err := load(ctx, "scheduler", args, false)
	if err != nil {
		return err
	}
	if p.State == "" {
		return errors.New("scheduler needs a state store: set ferry.state, --state or FERRY_STATE")
	}
	store, err := open.ForWorker(ctx, p.State, p.Worker, p.log)
	if err != nil {
		return err
	}
	defer store.Close()
	d, closeD, err := schedulerDispatcher(ctx, p, store)
	if err != nil {
		return err
	}
	defer closeD()
	return serveScheduler(ctx, p, store, d, nil)
}

func runWorker(ctx context.Context, args []string) error {
	p, err := load(ctx, "worker", args, false)
	if err != nil {
		return err
	}
	if p.NATSURL == "" || p.State == "" || len(p.BootstrapServers) == 0 {
		return errors.New("worker needs ferry.nats.url, ferry.state and bootstrap.servers (flags --nats-url, --state, --bootstrap-servers; env FERRY_NATS_URL, FERRY_STATE, FERRY_BOOTSTRAP_SERVERS)")
	}
	store, err := open.ForWorker(ctx, p.State, p.Worker, p.log)
	if err != nil {
		return err
	}
	defer store.Close()
	nc, err := connectNATS(p, "ferry-worker")
	if err != nil {
		return err
	}
	defer nc.Close()
	return serveWorker(ctx, p, store, nc)
}

// vcsRevision is the git commit the binary was built from, when recorded.
func vcsRevision() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
}
