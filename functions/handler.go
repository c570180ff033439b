package functions

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/configprovider"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/ferryhq/ferry/connectors/placeholder"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/transforms"
	cpipeline "github.com/ferryhq/ferry/transforms/pipeline"
	"github.com/twmb/franz-go/pkg/kgo"
)

// OffsetStore is what an invocation needs from the state store: read source
// offsets, commit them fenced by epoch, and check the epoch before a sink commit.
type OffsetStore interface {
	ReadOffsets(ctx context.Context, connector string) ([]state.OffsetEntry, error)
	CommitOffsets(ctx context.Context, connector string, task int, epoch int64, entries []state.OffsetEntry) error
	CheckEpoch(ctx context.Context, connector string, task int, epoch int64) error
}

// ErrInvocation is wrapped by errors about the invocation itself (bad class,
// bad config): the task cannot run until its config changes.
var ErrInvocation = errors.New("invalid invocation")

// Options configures a Handler.
type Options struct {
	Plugins *connectors.Registry
	// Transforms holds the transformation and predicate classes; nil is
	// the built-in registry (transforms.Builtin).
	Transforms *transforms.Registry
	Store      OffsetStore
	// Seeds are the Kafka bootstrap servers.
	Seeds []string
	// InstanceID names this function instance in results (host:pid, Lambda request id).
	InstanceID string
	// Margin is kept free before the deadline to flush and commit (default 500ms).
	Margin time.Duration
	// Worker is this function's own worker configuration (Kafka Connect's
	// worker keys: key.converter, value.converter and their settings,
	// config.providers, group.id, offset.storage.topic), read from the
	// worker's properties, FERRY_* environment or the Lambda package. The
	// connector config overrides converters; the rest never comes from the wire.
	Worker map[string]string
	Logger *slog.Logger
	// Kafka are the worker's Kafka client keys: bootstrap.servers,
	// security.protocol, ssl.*, sasl.*, the producer./consumer./admin.
	// prefixed keys, connector.client.config.override.policy and
	// topic.creation.enable (package kafkaclient). Seeds win over bootstrap.servers.
	Kafka map[string]string
	// KafkaOpts are extra client options, applied last (tests).
	KafkaOpts []kgo.Opt
	// OffsetsTopics opens the offsets topic named topic on the cluster at
	// seeds with the given client options, for exactly-once sources
	// (state/kafka's New; nil: exactly.once.support=required fails).
	OffsetsTopics func(seeds []string, topic string, opts ...kgo.Opt) OffsetsTopic
}

// Handler runs invocations. It holds pooled Kafka connections, never task state.
type Handler struct {
	o     Options
	kafka *kafkaClients
	// dlqTopics remembers dead-letter topics known to exist.
	dlqTopics sync.Map
	// memory is the sink memory kept between invocations (sinkmemory.go).
	memory memoryPool
}

// NewHandler sets up the pooled Kafka producer; the admin client is built
// when an invocation first needs it.
func NewHandler(o Options) (*Handler, error) {
	if o.Margin == 0 {
		o.Margin = 500 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	k, err := newKafkaClients(o)
	if err != nil {
		return nil, err
	}
	return &Handler{o: o, kafka: k}, nil
}

// healthProbe is the connector whose offsets Check reads: none has this name.
const healthProbe = "__ferry_health_probe"

// Check reports, naming it, the first dependency an invocation needs that
// does not answer: the state store or Kafka.
func (h *Handler) Check(ctx context.Context) error {
	if _, err := h.o.Store.ReadOffsets(ctx, healthProbe); err != nil {
		return fmt.Errorf("state store unreachable: %w", err)
	}
	adm, _, err := h.kafka.admin()
	if err != nil {
		return err
	}
	if _, err := adm.BrokerMetadata(ctx); err != nil {
		return fmt.Errorf("Kafka unreachable: %w", err)
	}
	return nil
}

// Close releases the pooled clients.
func (h *Handler) Close() { h.kafka.close() }

// Handle runs one invocation to its deadline or batch limit and reports the
// outcome. The Result is always filled in; the error is non-nil exactly when
// the Result's state is not RUNNING, so callers can use errors.Is on it
// (state.ErrFenced, ErrInvocation, *connectors.RetriableError).
func (h *Handler) Handle(ctx context.Context, inv Invocation) (Result, error) {
	start := time.Now()
	res := Result{ID: inv.ID, Connector: inv.Connector, Task: inv.Task, Epoch: inv.Epoch,
		InstanceID: h.o.InstanceID, State: StateRunning}
	ctx, span := startInvocation(ctx, &inv)
	defer endInvocation(span, &res)
	ctx, cancel := context.WithDeadline(ctx, inv.Deadline)
	defer cancel()
	mask, err := resolveConfig(ctx, &inv, h.o.Worker)
	if err == nil {
		err = h.run(ctx, inv, &res, mask.Logger(h.o.Logger))
	}
	res.Duration = time.Since(start)
	if err != nil {
		// A resolved secret never leaves the function: not in the trace the
		// scheduler stores and REST shows, nor in the error callers log.
		err = mask.Error(err)
		res.State, res.Trace = classify(err)
		res.More = false
		var open *retryWindowOpen
		if errors.As(err, &open) && res.State == StateRetrying {
			res.RetryingSince = open.Since
		}
		res.Overran = overran(err)
	}
	return res, err
}

// resolveConfig replaces config-provider placeholders (${file:/path:key},
// ${env:NAME}, ...) in this invocation's copy of the task config. The
// resolved config lives only in this process: it is never returned or stored,
// and a failed lookup names the placeholder, never a secret. The Mask hides
// the resolved values in the invocation's trace, errors and logs.
func resolveConfig(ctx context.Context, inv *Invocation, worker map[string]string) (placeholder.Mask, error) {
	cfg, err := configprovider.Resolve(ctx, inv.Config, worker, configprovider.Builtins())
	if err != nil {
		return placeholder.Mask{}, fmt.Errorf("%w: %w", ErrInvocation, err)
	}
	mask := placeholder.MaskOf(inv.Config, cfg)
	inv.Config = cfg
	return mask, nil
}

func (h *Handler) run(ctx context.Context, inv Invocation, res *Result, log *slog.Logger) error {
	plugin, err := h.o.Plugins.Lookup(inv.Class)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvocation, err)
	}
	if plugin.Type != connectors.TypeSource && plugin.Type != connectors.TypeSink {
		return fmt.Errorf("%w: %s is a %s plugin, not a connector", ErrInvocation, plugin.Class, plugin.Type)
	}
	built, err := cpipeline.Build(cpipeline.Spec{Kind: plugin.Type, Config: inv.Config, Worker: h.o.Worker, Transforms: h.o.Transforms})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvocation, err)
	}
	budget := deadline(ctx, h.o.Margin)
	p := newPipeline(inv, built, res, budget, log)
	if plugin.Type == connectors.TypeSource {
		err = h.runSource(ctx, plugin, p)
	} else {
		err = h.runSink(ctx, plugin, p)
	}
	if err != nil && p.dlq != nil && len(p.dlq.records) > 0 && !errors.Is(err, state.ErrFenced) {
		// errors.tolerance=none still reports the failed record to the DLQ, as Kafka Connect does.
		if derr := h.flushDLQ(ctx, p); derr != nil {
			err = errors.Join(err, derr)
		}
	}
	return err
}

// fence is the check every write attributed to the task passes first (offset
// commits, dead-letter records): the invocation's deadline has not passed and
// its epoch is still the task's current one. Either failing wraps state.ErrFenced.
func (h *Handler) fence(ctx context.Context, inv Invocation, what string) error {
	if !time.Now().Before(inv.Deadline) {
		return fmt.Errorf("%s: invocation deadline %s passed: %w: %w", what, inv.Deadline.Format(time.RFC3339Nano), errOverran, state.ErrFenced)
	}
	if err := h.o.Store.CheckEpoch(ctx, inv.Connector, inv.Task, inv.Epoch); err != nil {
		return fmt.Errorf("%s at epoch %d: %w", what, inv.Epoch, err)
	}
	return nil
}

// errOverran marks a failure to commit before the invocation's deadline.
var errOverran = errors.New("the batch did not fit in the invocation")

// overran reports whether err means the invocation ran out of time before
// its commit: the scheduler then shrinks the task's next batch.
func overran(err error) bool {
	return errors.Is(err, errOverran) || errors.Is(err, context.DeadlineExceeded)
}

// deadline is the time by which reading must stop so that the flush and the
// commit still fit before the invocation's deadline.
func deadline(ctx context.Context, margin time.Duration) time.Time {
	d, ok := ctx.Deadline()
	if !ok {
		return time.Now().Add(time.Minute)
	}
	if left := time.Until(d); margin > left/2 {
		margin = left / 2
	}
	return d.Add(-margin)
}

// classify maps an invocation error to a result state and a trace.
func classify(err error) (string, string) {
	switch {
	case errors.Is(err, state.ErrFenced):
		return StateFenced, err.Error()
	case kafkaclient.IsPermanent(err):
		return StateFailed, err.Error()
	case isRetriable(err), errors.Is(err, context.DeadlineExceeded):
		return StateRetrying, err.Error()
	}
	return StateFailed, err.Error()
}

// retriable marks a failure that may pass when the invocation is retried
// (Kafka unreachable, a timeout): the scheduler backs off and retries.
func retriable(format string, args ...any) error {
	return connectors.Retriable(fmt.Errorf(format, args...))
}

func closeTask(t any) {
	if c, ok := t.(io.Closer); ok {
		_ = c.Close()
	}
}
