package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferryhq/ferry/functions/transport"
	"github.com/ferryhq/ferry/state/file"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/twmb/franz-go/pkg/kfake"
)

// devBrokerPort is where the embedded development broker listens, away from
// a real broker's 9092.
const devBrokerPort = 19092

// runStandalone runs the scheduler, an embedded NATS server, local functions
// and file state in one process, like connect-standalone. Extra arguments are
// a worker .properties file and connector .json/.properties files.
func runStandalone(ctx context.Context, args []string) error {
	var s settings
	fs := flag.NewFlagSet("standalone", flag.ContinueOnError)
	s.register(fs, "lndci")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := s.logger()
	workerProps, connectorFiles, err := splitArgs(fs.Args())
	if err != nil {
		return err
	}
	applyWorkerProps(&s, workerProps)
	logKafkaProblems(workerProps, log)
	if err := os.MkdirAll(s.dataDir, 0o755); err != nil {
		return fmt.Errorf("data dir %s: %w", s.dataDir, err)
	}
	if s.bootstrap == "" {
		stopBroker, err := startDevBroker(filepath.Join(s.dataDir, "kafka"), log)
		if err != nil {
			return err
		}
		defer stopBroker()
		s.bootstrap = fmt.Sprintf("127.0.0.1:%d", devBrokerPort)
	}
	store, err := file.Open(filepath.Join(s.dataDir, "state"))
	if err != nil {
		return err
	}
	defer store.Close()
	nc, stopNATS, err := embeddedNATS(s.natsURL, filepath.Join(s.dataDir, "nats"), log)
	if err != nil {
		return err
	}
	defer stopNATS()
	go func() {
		if err := serveWorker(ctx, &s, store, nc, workerProps, log); err != nil {
			log.Error("local functions stopped", "err", err)
		}
	}()
	return serveStandaloneScheduler(ctx, &s, store, nc, workerProps, connectorFiles, log)
}

func serveStandaloneScheduler(ctx context.Context, s *settings, store *file.Store, nc *nats.Conn, props map[string]string, files []string, log *slog.Logger) error {
	configs := make([]map[string]string, 0, len(files))
	for _, f := range files {
		c, err := readConnectorFile(f)
		if err != nil {
			return err
		}
		configs = append(configs, c)
	}
	ready := make(chan http.Handler, 1)
	go func() {
		select {
		case h := <-ready:
			for _, c := range configs {
				submitConnector(h, c, log)
			}
		case <-ctx.Done():
		}
	}()
	return serveSchedulerWith(ctx, s, store, transport.NewNATSDispatcher(nc).OnSubject(s.natsSubject), props, log, ready)
}

// submitConnector creates or updates a connector from a file through the REST handler.
func submitConnector(h http.Handler, cfg map[string]string, log *slog.Logger) {
	body, _ := json.Marshal(cfg)
	req := httptest.NewRequest(http.MethodPut, "/connectors/"+cfg["name"]+"/config", bytes.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code >= 300 {
		log.Error("connector file rejected", "connector", cfg["name"], "status", rec.Code, "body", strings.TrimSpace(rec.Body.String()))
		return
	}
	log.Info("connector submitted", "connector", cfg["name"])
}

// startDevBroker starts franz-go's kfake as a single-node development broker.
func startDevBroker(dir string, log *slog.Logger) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	c, err := kfake.NewCluster(kfake.Ports(devBrokerPort), kfake.DataDir(dir), kfake.AllowAutoTopicCreation(), kfake.NumBrokers(1))
	if err != nil {
		return nil, fmt.Errorf("embedded development broker on port %d: %w (pass --bootstrap-servers to use a real Kafka)", devBrokerPort, err)
	}
	log.Warn("NO --bootstrap-servers GIVEN: started an embedded single-node DEVELOPMENT broker (franz-go kfake) — not for production",
		"bootstrap", c.ListenAddrs(), "data", dir)
	return c.Close, nil
}

// embeddedNATS connects to natsURL, or starts an in-process NATS server with
// JetStream when it is empty.
func embeddedNATS(natsURL, dir string, log *slog.Logger) (*nats.Conn, func(), error) {
	if natsURL != "" {
		nc, err := connectNATS(natsURL, "ferry-standalone", log)
		return nc, func() {
			if nc != nil {
				nc.Close()
			}
		}, err
	}
	srv, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoSigs: true})
	if err != nil {
		return nil, nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		return nil, nil, fmt.Errorf("embedded NATS server did not start within 10s")
	}
	nc, err := nats.Connect(srv.ClientURL(), nats.InProcessServer(srv))
	if err != nil {
		srv.Shutdown()
		return nil, nil, fmt.Errorf("connecting to embedded NATS: %w", err)
	}
	log.Info("embedded NATS server started", "url", srv.ClientURL())
	return nc, func() { nc.Close(); srv.Shutdown() }, nil
}

// splitArgs sorts positional arguments into one worker .properties file and
// connector files, as connect-standalone takes them.
func splitArgs(args []string) (map[string]string, []string, error) {
	var worker map[string]string
	var connectorFiles []string
	for _, a := range args {
		if strings.HasSuffix(a, ".properties") && worker == nil && !isConnectorProps(a) {
			p, err := readProperties(a)
			if err != nil {
				return nil, nil, err
			}
			worker = p
			continue
		}
		connectorFiles = append(connectorFiles, a)
	}
	return worker, connectorFiles, nil
}

func isConnectorProps(path string) bool {
	p, err := readProperties(path)
	return err == nil && p["connector.class"] != ""
}

func applyWorkerProps(s *settings, p map[string]string) {
	if v := p["bootstrap.servers"]; v != "" && s.bootstrap == "" {
		s.bootstrap = v
	}
	if v := p["listeners"]; v != "" {
		s.listeners = v
	}
	if v := p["key.converter"]; v != "" {
		s.keyConverter = v
	}
	if v := p["value.converter"]; v != "" {
		s.valueConverter = v
	}
}

// readConnectorFile reads {"name","config"} JSON, a flat JSON map, or .properties.
func readConnectorFile(path string) (map[string]string, error) {
	if strings.HasSuffix(path, ".properties") {
		return readProperties(path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var wrapped struct {
		Name   string            `json:"name"`
		Config map[string]string `json:"config"`
	}
	if err := json.Unmarshal(raw, &wrapped); err == nil && wrapped.Config != nil {
		if wrapped.Config["name"] == "" {
			wrapped.Config["name"] = wrapped.Name
		}
		return wrapped.Config, nil
	}
	var flat map[string]string
	if err := json.Unmarshal(raw, &flat); err != nil {
		return nil, fmt.Errorf("connector file %s: want {\"name\":...,\"config\":{...}} or a flat JSON object of strings: %w", path, err)
	}
	return flat, nil
}

// readProperties reads a Java .properties file: key=value or key: value lines,
// # and ! comments, trailing-backslash continuations.
func readProperties(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	props := map[string]string{}
	sc := bufio.NewScanner(f)
	var pending string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if pending != "" {
			line, pending = pending+line, ""
		}
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			pending = strings.TrimSuffix(line, `\`)
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i < 0 {
			props[line] = ""
			continue
		}
		props[strings.TrimSpace(line[:i])] = strings.TrimSpace(line[i+1:])
	}
	return props, sc.Err()
}
