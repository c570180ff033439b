package main

import (
	"context"
	"fmt"
	"github.com/ferryhq/ferry/connectors/configprovider"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/lambdarun"
	"github.com/ferryhq/ferry/functions/transport"
	"github.com/ferryhq/ferry/scheduler"
	"github.com/ferryhq/ferry/scheduler/restsecurity"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/transforms/catalogue"
	"github.com/nats-io/nats.go"
	"github.com/twmb/franz-go/pkg/kadm"
)

// connectNATS dials the worker's NATS with its authentication settings.
func connectNATS(p *proc, name string) (*nats.Conn, error) {
	return transport.ConnectNATS(p.NATS, name, p.log)
}

// functionOptions are the functions' settings: the worker configuration
// stays in this process and is never sent on the wire.
func functionOptions(p *proc, store functions.OffsetStore, instance string, log *slog.Logger) functions.Options {
	return lambdarun.Options(p.Worker, plugins(), store, instance, log)
}

// serveWorker runs this process's functions on the NATS subject until ctx is done.
func serveWorker(ctx context.Context, p *proc, store state.Store, nc *nats.Conn) error {
	log := p.loggers.Logger("com.ferryhq.ferry.functions", p.logBase) // PUT /admin/loggers/com.ferryhq.ferry.functions applies here
	host, _ := os.Hostname()
	h, err := functions.NewHandler(functionOptions(p, store, fmt.Sprintf("%s:%d", host, os.Getpid()), log))
	if err != nil {
		return err
	}
	defer h.Close()
	reg := newWorkerRegistry()
	var inv transport.Invoker = h
	if p.MetricsEnable {
		inv = transport.NewWorkerMetrics(reg).Wrap(h)
	}
	w := transport.NewWorker(nc, inv, transport.NewVerifier(store), p.Concurrency, log).OnSubject(p.NATSSubject)
	stopMetrics, err := serveMetrics(ctx, p.MetricsListeners, workerMux(reg, w.Serving, h.Check), log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	return w.Run(ctx)
}

// serveScheduler runs the REST API and the dispatch loop until ctx is done.
// Connector configs in submit (ferry standalone's files) go through the
// scheduler's API in-process before it serves.
func serveScheduler(ctx context.Context, p *proc, store state.Store, d scheduler.Dispatcher, submit []map[string]string) error {
	ln, err := restsecurity.Listen(p.REST)
	if err != nil {
		return err
	}
	defer ln.Close()
	sch, err := newScheduler(ctx, p, store, d, ln.WorkerID)
	if err != nil {
		return err
	}
	defer sch.close()
	for _, c := range submit {
		submitConnector(ctx, sch.Scheduler, c, p.log)
	}
	stopMetrics, err := serveMetrics(ctx, p.MetricsListeners, schedulerMux(sch.Metrics(), sch.Handler()), p.log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	handler, err := restsecurity.Secure(sch.Handler(), p.REST)
	if err != nil {
		return err
	}
	stop := serveHTTP(&http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}, ln)
	defer stop()
	p.log.Info("REST API listening", "url", ln.URL)
	return sch.Run(ctx)
}

// serveHTTP serves srv on ln in a goroutine; the returned func shuts the
// server down and waits for that goroutine.
func serveHTTP(srv *http.Server, ln net.Listener) func() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = srv.Serve(ln)
	}()
	return func() {
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		wg.Wait()
	}
}

// schedulerProc is the scheduler with the Kafka admin client it uses.
type schedulerProc struct {
	*scheduler.Scheduler
	close func()
}

// newScheduler builds the scheduler from the worker configuration.
func newScheduler(ctx context.Context, p *proc, store state.Store, d scheduler.Dispatcher, workerID string) (*schedulerProc, error) {
	groups, closeGroups, err := groupAdmin(p.Props)
	if err != nil {
		return nil, err
	}
	o := scheduler.Options{Store: store, Catalogue: catalogue.WithPlugins(plugins().Connectors, plugins().Transforms, p.Props, Version),
		Version: Version, Commit: vcsRevision(), KafkaClusterID: clusterID(ctx, groups, p.log),
		Dispatcher: d, WorkerID: workerID, Groups: groups, Unhonoured: unhonoured(p.Props), DisableTopicTracking: !p.TopicTracking, DisableTopicReset: !p.TopicReset,
		InvocationTimeout: time.Duration(p.InvocationTimeout) * time.Millisecond, MaxRecords: p.MaxRecords, Shards: p.SchedulerShards,
		Loggers: p.loggers, Logger: p.loggers.Logger("com.ferryhq.ferry.scheduler", p.logBase),
		Audit: p.loggers.Logger(scheduler.AuditLogger, p.logBase), DisableMetrics: !p.MetricsEnable,
		Resolve: func(ctx context.Context, c map[string]string) (map[string]string, error) {
			return configprovider.Resolve(ctx, c, p.Props, configprovider.Builtins())
		}}
	sch, err := scheduler.New(o)
	if err != nil {
		closeGroups()
		return nil, err
	}
	return &schedulerProc{Scheduler: sch, close: closeGroups}, nil
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
