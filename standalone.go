package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors/properties"
	"github.com/ferryhq/ferry/functions/transport"
	"github.com/ferryhq/ferry/scheduler"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/file"
	"github.com/ferryhq/ferry/state/open"
	"github.com/nats-io/nats.go"
)

// runStandalone runs the scheduler, an embedded NATS server, local functions
// and file state in one process, like connect-standalone. Its arguments are
// a worker .properties file and connector .json/.properties files.
func runStandalone(ctx context.Context, args []string) error {
	p, err := load(ctx, "standalone", args, true)
	if err != nil {
		return err
	}
	configs, err := readConnectorFiles(p.Args)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(p.DataDir, 0o755); err != nil {
		return fmt.Errorf("data dir %s: %w", p.DataDir, err)
	}
	if len(p.BootstrapServers) == 0 {
		broker, err := startDevBroker(filepath.Join(p.DataDir, "kafka"), p.log)
		if err != nil {
			return err
		}
		defer broker.Close()
		p.BootstrapServers = broker.ListenAddrs()
		p.Props["bootstrap.servers"] = strings.Join(p.BootstrapServers, ",")
	}
	store, err := standaloneStore(ctx, p)
	if err != nil {
		return err
	}
	defer store.Close()
	nc, closeNATS, err := standaloneNATS(p)
	if err != nil {
		return err
	}
	defer closeNATS()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the local functions; waited for below, before NATS and the store close
		defer wg.Done()
		if err := serveWorker(ctx, p, store, nc); err != nil && ctx.Err() == nil {
			p.log.Error("local functions stopped: stopping ferry standalone", "err", err)
			cancel()
		}
	}()
	err = serveScheduler(ctx, p, store, transport.NewNATSDispatcher(nc, transport.NewSigner(store, 0)).OnSubject(p.NATSSubject), configs)
	cancel()
	wg.Wait()
	return err
}

// standaloneStore opens the Kafka store when ferry.state names it (--state
// kafka keeps everything in Kafka Connect's topics on bootstrap.servers),
// else the file store under the data dir.
func standaloneStore(ctx context.Context, p *proc) (state.Store, error) {
	if p.State == "kafka" || strings.HasPrefix(p.State, "kafka://") {
		return open.ForWorker(ctx, p.State, p.Worker, p.log)
	}
	return file.Open(filepath.Join(p.DataDir, "state"))
}

// standaloneNATS connects to ferry.nats.url, or starts the embedded server
// (loopback, random token) when it is empty.
func standaloneNATS(p *proc) (*nats.Conn, func(), error) {
	if p.NATSURL != "" {
		nc, err := connectNATS(p, "ferry-standalone")
		if err != nil {
			return nil, nil, err
		}
		return nc, nc.Close, nil
	}
	e, err := transport.StartEmbeddedNATS(p.log)
	if err != nil {
		return nil, nil, err
	}
	return e.Conn, e.Close, nil
}

// submitConnector creates or updates a connector from a file through the
// scheduler's API, in-process; a rejected file is logged and skipped.
func submitConnector(ctx context.Context, sch *scheduler.Scheduler, cfg map[string]string, log *slog.Logger) {
	if _, err := sch.PutConnectorConfig(ctx, cfg["name"], cfg); err != nil {
		log.Error("connector file rejected", "connector", cfg["name"], "err", err)
		return
	}
	log.Info("connector submitted", "connector", cfg["name"])
}

// readConnectorFiles reads connect-standalone's connector files.
func readConnectorFiles(paths []string) ([]map[string]string, error) {
	out := make([]map[string]string, 0, len(paths))
	for _, path := range paths {
		c, err := readConnectorFile(path)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// readConnectorFile reads {"name","config"} JSON, a flat JSON object, or
// .properties. JSON values may be strings, numbers or booleans, as the REST
// API takes them.
func readConnectorFile(path string) (map[string]string, error) {
	if strings.HasSuffix(path, ".properties") {
		f, err := properties.Read(path)
		if err != nil {
			return nil, err
		}
		return f.Map(), nil
	}
	raw, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	cfg, err := scheduler.DecodeConnectorFile(raw)
	if err != nil {
		return nil, fmt.Errorf("connector file %s: %w", path, err)
	}
	return cfg, nil
}

// maxConnectorFile bounds a connector file as the REST API bounds a body.
const maxConnectorFile = 1 << 20

func readBounded(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("connector file: %w", err)
	}
	if st.Size() > maxConnectorFile {
		return nil, fmt.Errorf("connector file %s is %d bytes, more than the %d a connector config may have", path, st.Size(), maxConnectorFile)
	}
	return os.ReadFile(path)
}
