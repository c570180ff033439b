// Package open picks a state backend from a spec string, so commands take
// one --state flag: "file:DIR" for the standalone directory store,
// "redis://host:port/db" or "rediss://..." for Redis, "kafka" (or
// "kafka://host:port,...") for Kafka Connect's internal topics. It lives
// apart from package state because the backends import state.
package open

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/ferryhq/ferry/connectors/workerconfig"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/file"
	"github.com/ferryhq/ferry/state/kafka"
)

// ErrUnknownSpec is returned for a spec no backend accepts.
var ErrUnknownSpec = errors.New(`unknown state store: use "kafka", "kafka://host:port,...", "file:DIR", "redis://host:port/db" or "rediss://host:port/db"`)

// ErrNoKafka is returned for "kafka" without bootstrap.servers.
var ErrNoKafka = errors.New(`state store "kafka" needs bootstrap.servers (or name the brokers: kafka://host:port,...)`)

// Open opens the store named by spec: "file:DIR" (DIR created if missing),
// "redis://..." or "rediss://..." (Redis URL, keys under redis.DefaultPrefix),
// "kafka://host:port,..." (Kafka Connect's default topic names, plaintext).
func Open(ctx context.Context, spec string) (state.Store, error) {
	return ForWorker(ctx, spec, &workerconfig.Worker{}, nil)
}

// ForWorker opens the store named by spec with the worker's configuration:
// "kafka" takes its bootstrap servers, security keys, group.id and
// *.storage.* topic keys (Kafka Connect's defaults for those unset).
func ForWorker(ctx context.Context, spec string, w *workerconfig.Worker, log *slog.Logger) (state.Store, error) {
	return forWorker(ctx, spec, w, log, false)
}

// ForFunction is ForWorker for a Lambda function's start: a Redis store's
// connection leaves the handshake's optional commands out (CLIENT SETINFO,
// CLIENT MAINT_NOTIFICATIONS: redis.Options.Lean), two round trips of every
// cold start, and is checked by reading the signing keys the first
// invocation verifies its payload with, instead of a PING.
func ForFunction(ctx context.Context, spec string, w *workerconfig.Worker, log *slog.Logger) (state.Store, error) {
	return forWorker(ctx, spec, w, log, true)
}

func forWorker(ctx context.Context, spec string, w *workerconfig.Worker, log *slog.Logger, lean bool) (state.Store, error) {
	switch {
	case strings.HasPrefix(spec, "file:"):
		dir := strings.TrimPrefix(spec, "file:")
		if dir == "" {
			return nil, fmt.Errorf("state store %q names no directory: %w", spec, ErrUnknownSpec)
		}
		s, err := file.Open(dir)
		if err != nil {
			return nil, fmt.Errorf("open state store %q: %w", spec, err)
		}
		return s, nil
	case strings.HasPrefix(spec, "redis://"), strings.HasPrefix(spec, "rediss://"):
		s, err := openRedis(ctx, spec, lean)
		if err != nil {
			return nil, fmt.Errorf("open state store %q: %w", redact(spec), err)
		}
		return s, nil
	case spec == "kafka", strings.HasPrefix(spec, "kafka://"):
		return openKafka(ctx, spec, w, log)
	default:
		return nil, fmt.Errorf("state store %q: %w", redact(spec), ErrUnknownSpec)
	}
}

// openKafka opens the Kafka store on the spec's brokers, else the worker's.
func openKafka(ctx context.Context, spec string, w *workerconfig.Worker, log *slog.Logger) (state.Store, error) {
	seeds := w.BootstrapServers
	if rest, ok := strings.CutPrefix(spec, "kafka://"); ok {
		seeds = strings.Split(strings.TrimSuffix(rest, "/"), ",")
	}
	if len(seeds) == 0 || seeds[0] == "" {
		return nil, ErrNoKafka
	}
	sec, err := kafkaclient.Security(w.Props)
	if err != nil {
		return nil, fmt.Errorf("state store %q: %w", spec, err)
	}
	st := w.Storage // zero values take Kafka Connect's defaults
	s, err := kafka.Open(ctx, kafka.Options{Seeds: seeds, ClientOpts: sec, GroupID: w.GroupID, Logger: log,
		Topics: kafka.Topics{Config: st.ConfigTopic, Offsets: w.OffsetsTopic, Status: st.StatusTopic, Ferry: st.FerryTopic,
			ConfigRF: st.ConfigRF, OffsetsRF: st.OffsetsRF, StatusRF: st.StatusRF,
			OffsetsPartitions: st.OffsetsPartitions, StatusParts: st.StatusPartitions}})
	if err != nil {
		return nil, fmt.Errorf("open state store %q: %w", spec, err)
	}
	return s, nil
}

// redact hides a password in a URL-like spec so errors can be logged.
func redact(spec string) string {
	scheme, rest, ok := strings.Cut(spec, "://")
	if !ok {
		return spec
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return spec
	}
	if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return spec
}
