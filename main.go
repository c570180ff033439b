// Command ferry runs Kafka Connect's connectors as short-lived function
// invocations. Subcommands: standalone (everything in one process), scheduler
// (REST API and dispatch), worker (function host on NATS), version. With
// AWS_LAMBDA_RUNTIME_API set it serves Lambda invocations instead.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/transport"
	"github.com/ferryhq/ferry/scheduler"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/open"
	"github.com/ferryhq/ferry/transforms/apply"
	"github.com/ferryhq/ferry/transforms/catalogue"
	"github.com/nats-io/nats.go"
	"github.com/twmb/franz-go/pkg/kadm"
)

// Version is ferry's version, set at build time with -ldflags "-X main.Version=...".
var Version = "0.1.0-dev"

const usage = `ferry — Kafka Connect as a function runtime

Usage:
  ferry standalone [flags] [worker.properties] [connector.json|connector.properties ...]
  ferry scheduler  [flags]
  ferry worker     [flags]
  ferry transforms apply --config FILE [--input records|bytes] [--output records|bytes]
  ferry lambda-bridge [flags]
  ferry health URL         (exit 0 when URL answers 200: container health checks)
  ferry version

Every flag has an environment equivalent: --nats-url is FERRY_NATS_URL, and so on.
Run "ferry <command> --help" for the flags of a command.
`

func main() {
	if inLambda() {
		if err := runLambda(context.Background()); err != nil {
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
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "standalone":
		err = runStandalone(ctx, args)
	case "scheduler":
		err = runScheduler(ctx, args)
	case "worker":
		err = runWorker(ctx, args)
	case "transforms":
		err = apply.Main(ctx, args, os.Stdin, os.Stdout)
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
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(os.Stderr, "ferry: %v\n", err)
		os.Exit(1)
	}
}

// settings are the flags shared by the subcommands; each one reads its
// FERRY_* environment variable as its default.
type settings struct {
	listeners, natsURL, natsSubject, stateSpec, bootstrap, dataDir, logLevel string
	keyConverter, valueConverter                                             string
	concurrency, maxRecords                                                  int
	invocationTimeout                                                        time.Duration
	// metricsListeners serves /metrics and the health probes without authentication (metrics.go).
	metricsListeners string
	// rest secures the REST listener (rest.go).
	rest restSettings
	// loggers hold the levels served by /admin/loggers; logBase lets every level through.
	loggers *scheduler.Loggers
	logBase slog.Handler
}

func (s *settings) register(fs *flag.FlagSet, which string) {
	str := func(p *string, name, def, doc string) { fs.StringVar(p, name, env(name, def), doc+envNote(name)) }
	if strings.Contains(which, "l") {
		str(&s.listeners, "listeners", "http://0.0.0.0:8083", "REST listener URL (Kafka Connect's listeners key)")
		s.rest.register(fs)
	}
	if strings.Contains(which, "n") {
		str(&s.natsURL, "nats-url", "", "NATS server URL; standalone starts an embedded server when empty")
		str(&s.natsSubject, "nats-subject", functions.Subject, "NATS subject of invocations; clusters sharing one NATS server need different ones")
	}
	if strings.Contains(which, "s") {
		str(&s.stateSpec, "state", "", "state store: redis://host:port/db or file:DIR")
	}
	if strings.Contains(which, "d") {
		str(&s.dataDir, "data-dir", "./ferry-data", "directory for standalone state and the development broker's data")
	}
	if strings.Contains(which, "c") {
		fs.IntVar(&s.concurrency, "concurrency", envInt("concurrency", 8), "invocations run at once by this worker"+envNote("concurrency"))
	}
	if strings.Contains(which, "i") {
		fs.DurationVar(&s.invocationTimeout, "invocation-timeout", envDuration("invocation-timeout", 10*time.Second), "deadline of each invocation"+envNote("invocation-timeout"))
		fs.IntVar(&s.maxRecords, "max-records", envInt("max-records", 100000), "records one invocation may read before it returns with more=true"+envNote("max-records"))
		str(&s.keyConverter, "key-converter", "org.apache.kafka.connect.json.JsonConverter", "worker default key.converter")
		str(&s.valueConverter, "value-converter", "org.apache.kafka.connect.json.JsonConverter", "worker default value.converter")
	}
	if strings.Contains(which, "m") {
		str(&s.metricsListeners, "metrics-listeners", "", "extra plain-HTTP listener (host:port) serving /metrics and /health (worker: also /ready) without authentication")
	}
	str(&s.bootstrap, "bootstrap-servers", "", "Kafka bootstrap servers, comma-separated")
	str(&s.logLevel, "log-level", "info", "log level: debug, info, warn, error")
}

func envName(flagName string) string {
	return "FERRY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func envNote(flagName string) string { return " (env " + envName(flagName) + ")" }

func env(flagName, def string) string {
	if v, ok := os.LookupEnv(envName(flagName)); ok {
		return v
	}
	return def
}

func envInt(flagName string, def int) int {
	if n, err := strconv.Atoi(env(flagName, "")); err == nil {
		return n
	}
	return def
}

func envDuration(flagName string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(env(flagName, "")); err == nil {
		return d
	}
	return def
}

func (s *settings) logger() *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(s.logLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	s.loggers = scheduler.NewLoggers(&lvl)
	s.logBase = slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.Level(-1 << 20)})
	return s.loggers.Logger(scheduler.RootLogger, s.logBase)
}

// functionOptions are the functions' settings: the worker configuration
// stays in this process and is never sent on the wire.
func functionOptions(s *settings, props map[string]string, store functions.OffsetStore, instance string, log *slog.Logger) functions.Options {
	return functions.Options{Plugins: builtin.Registry(), Store: store, Seeds: seeds(s.bootstrap),
		InstanceID: instance, Logger: log, Worker: s.workerSettings(props), Kafka: kafkaKeys(s.bootstrap, props)}
}

// workerSettings are the worker properties with the converter flags as defaults.
func (s *settings) workerSettings(props map[string]string) map[string]string {
	w := map[string]string{"key.converter": s.keyConverter, "value.converter": s.valueConverter}
	for k, v := range props {
		w[k] = v
	}
	return w
}

func (s *settings) workerDefaults(props map[string]string) map[string]string {
	w := map[string]string{"key.converter": s.keyConverter, "value.converter": s.valueConverter}
	for k, v := range props {
		if strings.Contains(k, "converter") || strings.HasPrefix(k, "config.providers") {
			w[k] = v
		}
	}
	return w
}

func seeds(bootstrap string) []string {
	var out []string
	for _, s := range strings.Split(bootstrap, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func runScheduler(ctx context.Context, args []string) error {
	var s settings
	fs := flag.NewFlagSet("scheduler", flag.ContinueOnError)
	s.register(fs, "lnsim")
	var l lambdaSettings
	l.register(fs)
	dispatch := fs.String("dispatch", env("dispatch", "nats"), "where invocations go: nats (ferry worker, ferry lambda-bridge) or lambda (the Invoke API)"+envNote("dispatch"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := s.logger()
	if s.stateSpec == "" {
		return errors.New("scheduler needs --state (or FERRY_STATE)")
	}
	d, closeD, err := schedulerDispatcher(ctx, *dispatch, &s, &l, log)
	if err != nil {
		return err
	}
	defer closeD()
	store, err := open.Open(ctx, s.stateSpec)
	if err != nil {
		return err
	}
	defer store.Close()
	return serveSchedulerWith(ctx, &s, store, d, nil, log, nil)
}

func runWorker(ctx context.Context, args []string) error {
	var s settings
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	s.register(fs, "nscm")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := s.logger()
	if s.natsURL == "" || s.stateSpec == "" || s.bootstrap == "" {
		return errors.New("worker needs --nats-url, --state and --bootstrap-servers (or FERRY_NATS_URL, FERRY_STATE, FERRY_BOOTSTRAP_SERVERS)")
	}
	store, err := open.Open(ctx, s.stateSpec)
	if err != nil {
		return err
	}
	defer store.Close()
	nc, err := connectNATS(s.natsURL, "ferry-worker", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	return serveWorker(ctx, &s, store, nc, nil, log)
}

func serveWorker(ctx context.Context, s *settings, store state.Store, nc *nats.Conn, props map[string]string, log *slog.Logger) error {
	if s.loggers != nil { // a level set with PUT /admin/loggers/com.ferryhq.ferry.functions applies here
		log = s.loggers.Logger("com.ferryhq.ferry.functions", s.logBase)
	}
	host, _ := os.Hostname()
	h, err := functions.NewHandler(functionOptions(s, props, store, fmt.Sprintf("%s:%d", host, os.Getpid()), log))
	if err != nil {
		return err
	}
	defer h.Close()
	reg := newWorkerRegistry()
	w := transport.NewWorker(nc, transport.NewWorkerMetrics(reg).Wrap(h), s.concurrency, log).OnSubject(s.natsSubject)
	if s.metricsListeners != "" {
		if err := serveMetrics(ctx, s.metricsListeners, workerMux(reg, w.Serving, h.Check), log); err != nil {
			return err
		}
	}
	return w.Run(ctx)
}

// serveSchedulerWith runs the REST API and the dispatch loop until ctx is
// done; ready, when not nil, receives the REST handler once it serves.
func serveSchedulerWith(ctx context.Context, s *settings, store state.Store, d scheduler.Dispatcher, props map[string]string, log *slog.Logger, ready chan<- http.Handler) error {
	addr, workerID, scheme, err := listenAddr(s.listeners)
	if err != nil {
		return err
	}
	s.rest.applyProps(props)
	groups, closeGroups, err := groupAdmin(s.bootstrap, props)
	if err != nil {
		return err
	}
	defer closeGroups()
	o := scheduler.Options{Store: store, Catalogue: catalogue.New(s.workerDefaults(props), Version),
		Version: Version, Commit: vcsRevision(), KafkaClusterID: clusterID(ctx, groups, log),
		Dispatcher: d, WorkerID: workerID, Groups: groups,
		InvocationTimeout: s.invocationTimeout, MaxRecords: s.maxRecords, Logger: log}
	if s.loggers != nil {
		o.Loggers, o.Logger = s.loggers, s.loggers.Logger("com.ferryhq.ferry.scheduler", s.logBase)
		o.Audit = s.loggers.Logger(scheduler.AuditLogger, s.logBase)
	}
	sch, err := scheduler.New(o)
	if err != nil {
		return err
	}
	if s.metricsListeners != "" {
		if err := serveMetrics(ctx, s.metricsListeners, schedulerMux(sch.Metrics(), sch.Handler()), log); err != nil {
			return err
		}
	}
	handler, err := s.rest.secure(sch.Handler())
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("REST listener %s: %w", s.listeners, err)
	}
	if scheme == "https" {
		tc, err := s.rest.tlsConfig()
		if err != nil {
			ln.Close()
			return err
		}
		ln = tls.NewListener(ln, tc)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Info("REST API listening", "url", scheme+"://"+ln.Addr().String())
	if ready != nil {
		ready <- srv.Handler
	}
	err = sch.Run(ctx)
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shut)
	return err
}

// listenAddr turns Kafka Connect's listeners value into a listen address,
// the host:port shown as worker_id and the scheme (http or https).
func listenAddr(listeners string) (addr, workerID, scheme string, err error) {
	first := strings.TrimSpace(strings.Split(listeners, ",")[0])
	u, err := url.Parse(first)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", "", "", fmt.Errorf("listeners=%q: want http://host:port or https://host:port", listeners)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return "", "", "", fmt.Errorf("listeners=%q: %w", listeners, err)
	}
	shown := host
	if shown == "" || shown == "0.0.0.0" {
		shown, _ = os.Hostname()
	}
	return net.JoinHostPort(host, port), net.JoinHostPort(shown, port), u.Scheme, nil
}

// clusterID asks Kafka for its cluster id, shown by GET / as kafka_cluster_id;
// an unreachable Kafka leaves it empty (the scheduler starts all the same).
func clusterID(ctx context.Context, groups scheduler.GroupAdmin, log *slog.Logger) string {
	adm, ok := groups.(*kadm.Client)
	if !ok {
		return ""
	}
	mctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	meta, err := adm.BrokerMetadata(mctx)
	if err != nil {
		log.Warn("kafka cluster id unknown: Kafka did not answer", "err", err)
		return ""
	}
	return meta.Cluster
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

func connectNATS(u, name string, log *slog.Logger) (*nats.Conn, error) {
	nc, err := nats.Connect(u, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(500*time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { log.Warn("NATS disconnected", "err", err) }),
		nats.ReconnectHandler(func(*nats.Conn) { log.Info("NATS reconnected") }))
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w", u, err)
	}
	return nc, nil
}
