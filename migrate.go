package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/ferryhq/ferry/connectors/workerconfig"
	"github.com/ferryhq/ferry/scheduler"
	"github.com/ferryhq/ferry/scheduler/migrate"
	"github.com/ferryhq/ferry/state/connectfile"
	"github.com/ferryhq/ferry/state/open"
	"github.com/ferryhq/ferry/transforms/catalogue"
)

const migrateUsage = `Usage:
  ferry migrate plan [--rest URL] [flags] [worker.properties]
      For each connector of a Kafka Connect cluster: whether ferry has its class,
      the keys ferry refuses, ignores or treats differently, and the offsets it
      would resume from.
      Reads the cluster's internal topics (config.storage.topic,
      offset.storage.topic, status.storage.topic of the worker properties), or
      its REST API with --rest. Changes nothing.
  ferry migrate standalone --offsets FILE [--state SPEC] [flags] [worker.properties]
      Imports a connect-standalone offsets file (offset.storage.file.filename)
      into the ferry store of --state (default: ferry standalone's, under
      ferry.data.dir). Each connector must be absent from the store or STOPPED.
`

// runMigrate runs `ferry migrate plan|standalone`.
func runMigrate(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(out, migrateUsage)
		return nil
	}
	var err error
	switch args[0] {
	case "plan":
		err = runMigratePlan(ctx, args[1:], out)
	case "standalone":
		err = runMigrateStandalone(ctx, args[1:], out)
	default:
		return fmt.Errorf("unknown migrate command %q\n\n%s", args[0], migrateUsage)
	}
	if errors.Is(err, workerconfig.ErrHelp) {
		fmt.Fprint(out, migrateUsage+"\nFlags (each also a worker key and a FERRY_* variable):\n")
		workerconfig.Usage(out, "migrate")
		return nil
	}
	return err
}

// loadWorker reads the worker configuration as load does, without logging
// its notices: the plan prints them.
func loadWorker(ctx context.Context, cmd string, args []string) (*workerconfig.Worker, error) {
	w, err := workerconfig.Load(ctx, args, os.LookupEnv, "")
	if err != nil {
		return nil, err
	}
	if len(w.Args) > 0 {
		return nil, fmt.Errorf("%s takes no arguments besides a worker .properties file, got %q", cmd, w.Args)
	}
	return w, nil
}

// cutFlag removes --name VALUE (or --name=VALUE) from args.
func cutFlag(args []string, name string) (value string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := strings.TrimLeft(args[i], "-")
		if len(a) == len(args[i]) {
			rest = append(rest, args[i])
			continue
		}
		switch {
		case a == name:
			if i+1 >= len(args) {
				return "", nil, fmt.Errorf("flag --%s needs a value", name)
			}
			value, i = args[i+1], i+1
		case strings.HasPrefix(a, name+"="):
			value = strings.TrimPrefix(a, name+"=")
		default:
			rest = append(rest, args[i])
		}
	}
	return value, rest, nil
}

func runMigratePlan(ctx context.Context, args []string, out io.Writer) error {
	restURL, args, err := cutFlag(args, "rest")
	if err != nil {
		return err
	}
	p, err := loadWorker(ctx, "migrate plan", args)
	if err != nil {
		return err
	}
	src, err := planSource(p, restURL)
	if err != nil {
		return err
	}
	cat := catalogue.New(p.Props, Version)
	unh := unhonoured(p.Props)
	review := func(c map[string]string) (scheduler.Review, error) { return scheduler.ReviewConfig(cat, unh, c) }
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	plan, err := migrate.Build(ctx, src, review)
	if err != nil {
		return err
	}
	for _, n := range p.Ignored {
		plan.Worker = append(plan.Worker, scheduler.Finding{Key: n.Key, Message: n.Reason})
	}
	for _, k := range p.Unknown {
		plan.Worker = append(plan.Worker, scheduler.Finding{Key: k, Message: "no declaration knows it (check its spelling against docs/configuration.md)"})
	}
	return plan.Print(out)
}

// planSource is the Kafka Connect REST API at restURL, else the internal
// topics named by the worker properties.
func planSource(p *workerconfig.Worker, restURL string) (migrate.Source, error) {
	if restURL != "" {
		return &migrate.REST{URL: restURL, Client: &http.Client{Timeout: 30 * time.Second}}, nil
	}
	topics := map[string]string{}
	for _, k := range []string{"config.storage.topic", "offset.storage.topic"} {
		if topics[k] = strings.TrimSpace(p.Props[k]); topics[k] == "" {
			return nil, fmt.Errorf("migrate plan needs %s: give the Kafka Connect workers' properties file, or --rest URL of their REST API", k)
		}
	}
	cfg, err := kafkaclient.New(p.Props)
	if err != nil {
		return nil, fmt.Errorf("worker Kafka client config: %w", err)
	}
	c, err := cfg.Client(kafkaclient.Admin, nil)
	if err != nil {
		return nil, fmt.Errorf("worker Kafka client config: %w", err)
	}
	if len(cfg.Seeds()) == 0 {
		return nil, errors.New("migrate plan needs bootstrap.servers in the worker properties (or --rest URL)")
	}
	return &migrate.Topics{Opts: c.Opts, Seeds: cfg.Seeds(), Config: topics["config.storage.topic"],
		Offsets: topics["offset.storage.topic"], Status: strings.TrimSpace(p.Props["status.storage.topic"])}, nil
}

func runMigrateStandalone(ctx context.Context, args []string, out io.Writer) error {
	file, args, err := cutFlag(args, "offsets")
	if err != nil {
		return err
	}
	p, err := loadWorker(ctx, "migrate standalone", args)
	if err != nil {
		return err
	}
	if file == "" {
		return errors.New("migrate standalone needs --offsets FILE: the offset.storage.file.filename of connect-standalone")
	}
	entries, err := connectfile.Read(file)
	if err != nil {
		return err
	}
	conns, skipped := connectfile.Offsets(entries)
	for _, s := range skipped {
		fmt.Fprintf(out, "skipped %s: %s\n", s.Key, s.Reason)
	}
	spec := p.State
	if spec == "" {
		spec = "file:" + filepath.Join(p.DataDir, "state")
	}
	store, err := open.ForWorker(ctx, spec, p, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer store.Close()
	done, err := migrate.Import(ctx, store, conns)
	for _, im := range done {
		fmt.Fprintf(out, "imported %s: %d offset(s), %d reset partition(s)\n", im.Connector, im.Offsets, im.Resets)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "imported the offsets of %d connector(s) from %s into %s\n", len(done), file, spec)
	return nil
}
