package functions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ErrConnectorBoundary is returned for transaction.boundary=connector: no
// ferry connector defines its own transaction boundaries (Kafka Connect's
// validation rejects the same config for such connectors).
var ErrConnectorBoundary = errors.New("transaction.boundary=connector: this connector does not define transaction boundaries; use poll or interval")

// TransactionalID is the transactional id of a source task's producer, as
// KIP-618 names it: <group>-<connector>-<task>. The group is the worker's
// group.id (from the function's own worker configuration), "ferry" when none
// is set. It is stable across invocations, so the broker fences an older
// invocation's producer.
func TransactionalID(worker map[string]string, inv Invocation) string {
	group := worker["group.id"]
	if group == "" {
		group = "ferry"
	}
	return fmt.Sprintf("%s-%s-%d", group, inv.Connector, inv.Task)
}

// OffsetsTopic is a Kafka Connect offsets topic (offset.storage.topic), the
// offsets store of exactly-once sources: its records are produced inside the
// source's own transaction and read back with read_committed. Package
// state/kafka implements it; the handler reaches it only through this.
type OffsetsTopic interface {
	// Topic is the topic's name.
	Topic() string
	// Ensure creates the topic when absent, as Kafka Connect does.
	Ensure(ctx context.Context, adm *kadm.Client) error
	// Read returns the committed offsets of connector.
	Read(ctx context.Context, connector string) ([]state.OffsetEntry, error)
	// Records returns the offset records of entries, to produce in the caller's transaction.
	Records(connector string, entries []state.OffsetEntry) ([]*kgo.Record, error)
}

// defaultOffsetsTopic is Kafka Connect's default offset.storage.topic.
const defaultOffsetsTopic = "connect-offsets"

// ErrNoOffsetsTopic is returned for an exactly-once source on a function host
// built without an offsets topic store (Options.OffsetsTopics).
var ErrNoOffsetsTopic = errors.New("exactly.once.support=required needs the offsets topic store, and this function host has none (functions.Options.OffsetsTopics)")

// offsetsTopic is the connector's offsets.storage.topic, else the worker's
// offset.storage.topic, else Kafka Connect's default connect-offsets.
func offsetsTopic(worker map[string]string, cfg *connectors.SourceConnectorConfig) string {
	if cfg.OffsetsTopic != "" {
		return cfg.OffsetsTopic
	}
	if t := worker["offset.storage.topic"]; t != "" {
		return t
	}
	return defaultOffsetsTopic
}

// eosRun is one exactly-once source invocation: a transactional producer,
// the offsets topic and the transaction boundary.
type eosRun struct {
	h        *Handler
	p        *pipeline
	cl       *kgo.Client
	offsets  OffsetsTopic
	boundary string
	interval time.Duration
}

// runSourceEOS runs a source task in Kafka transactions: every transaction
// holds a batch of records and the offset records of that batch, written to
// the offsets topic in Kafka Connect's format, so a read_committed consumer
// sees each record exactly once. The transaction commits only while the
// invocation's epoch is current and its deadline has not passed.
func (h *Handler) runSourceEOS(ctx context.Context, plugin *connectors.Plugin, p *pipeline, cfg *connectors.SourceConnectorConfig) error {
	inv := p.inv
	if cfg.TransactionBoundary == "connector" {
		return fmt.Errorf("%w: %w", ErrInvocation, ErrConnectorBoundary)
	}
	sec, err := h.kafka.securityOpts(kafkaclient.Consumer)
	if err != nil {
		return err
	}
	if h.o.OffsetsTopics == nil {
		return fmt.Errorf("%w: %w", ErrInvocation, ErrNoOffsetsTopic)
	}
	offs := h.o.OffsetsTopics(h.o.Seeds, offsetsTopic(h.o.Worker, cfg), sec...)
	adm, _, err := h.kafka.admin()
	if err != nil {
		return err
	}
	if err := offs.Ensure(ctx, adm); err != nil {
		return err
	}
	// A stale invocation must not even start a producer: its InitProducerID
	// would fence the producer of the newer invocation.
	if err := h.fence(ctx, inv, "starting transactional producer "+TransactionalID(h.o.Worker, inv)); err != nil {
		return err
	}
	cl, err := h.transactionalClient(inv)
	if err != nil {
		return err
	}
	defer cl.Close()
	if err := h.kafka.probe(ctx, cl); err != nil {
		return err
	}
	// InitProducerID completes (or aborts) the previous transaction of this
	// task id before it returns, so the offsets read next include it: without
	// it a commit whose markers are still being written would be missed and
	// its records produced twice.
	if _, _, err := cl.ProducerID(ctx); err != nil {
		return retriable("initializing transactional producer %s: %w", TransactionalID(h.o.Worker, inv), err)
	}
	entries, err := h.eosOffsets(ctx, inv, offs)
	if err != nil {
		return err
	}
	task := plugin.NewSource()
	defer closeTask(task)
	if err := task.Open(ctx, inv.Config, newOffsetReader(inv.Connector, entries)); err != nil {
		return fmt.Errorf("starting task %s-%d: %w", inv.Connector, inv.Task, err)
	}
	p.writeJSONValues(task)
	run := &eosRun{h: h, p: p, cl: cl, offsets: offs, boundary: cfg.TransactionBoundary,
		interval: time.Duration(cfg.TransactionInterval) * time.Millisecond}
	return run.loop(ctx, task)
}

// eosOffsets reads the offsets topic; when it holds nothing for the
// connector, the state store's offsets are used (a connector switched to
// exactly-once keeps its position).
func (h *Handler) eosOffsets(ctx context.Context, inv Invocation, offs OffsetsTopic) ([]state.OffsetEntry, error) {
	entries, err := offs.Read(ctx, inv.Connector)
	if err != nil {
		return nil, fmt.Errorf("loading offsets of %s from %s: %w", inv.Connector, offs.Topic(), err)
	}
	if len(entries) > 0 {
		return entries, nil
	}
	entries, err = h.o.Store.ReadOffsets(ctx, inv.Connector)
	if err != nil {
		return nil, fmt.Errorf("loading offsets of %s: %w", inv.Connector, err)
	}
	return entries, nil
}

func (h *Handler) transactionalClient(inv Invocation) (*kgo.Client, error) {
	timeout := max(time.Until(inv.Deadline)*2, 10*time.Second)
	opts, _, err := h.kafka.opts(kafkaclient.Producer, inv.Config, append(producerDefaults(),
		kgo.TransactionTimeout(timeout),
		kgo.ClientID(fmt.Sprintf("connector-producer-%s-%d", inv.Connector, inv.Task)))...)
	if err != nil {
		return nil, err
	}
	// Kafka Connect names the transactional id; no override may change it.
	cl, err := kgo.NewClient(append(opts, kgo.TransactionalID(TransactionalID(h.o.Worker, inv)))...)
	if err != nil {
		return nil, fmt.Errorf("transactional kafka client for %v: %w", h.o.Seeds, err)
	}
	return cl, nil
}

// loop runs transactions until the invocation is full or the task has nothing more.
func (r *eosRun) loop(ctx context.Context, task connectors.SourceTask) error {
	for {
		n, err := r.transaction(ctx, task)
		if err != nil {
			return err
		}
		if n <= 0 || r.p.full() {
			r.p.res.More = n != 0
			return nil
		}
	}
}

// transaction runs one transaction: polls up to the boundary, produces the
// records and their offsets, then commits behind the fence. It returns the
// size of the last poll (0 when the task had nothing, -1 when cut short).
func (r *eosRun) transaction(ctx context.Context, task connectors.SourceTask) (int, error) {
	p := r.p
	if err := r.cl.BeginTransaction(); err != nil {
		return 0, retriable("beginning transaction %s: %w", TransactionalID(r.h.o.Worker, p.inv), err)
	}
	tracker := offsetTracker{connector: p.inv.Connector}
	var a acks
	n, err := r.fill(ctx, task, &tracker, &a)
	if err == nil {
		err = r.produceOffsets(ctx, &tracker, &a)
	}
	if err == nil {
		err = r.flush(ctx, &a)
	}
	if err == nil {
		err = r.h.fence(ctx, p.inv, "committing transaction "+TransactionalID(r.h.o.Worker, p.inv))
	}
	if err != nil {
		r.abort()
		if isProducerFenced(err) {
			return 0, producerFenced(TransactionalID(r.h.o.Worker, p.inv), err)
		}
		return 0, err
	}
	done := timeCommit(p.res)
	if err := done(r.cl.EndTransaction(ctx, kgo.TryCommit)); err != nil {
		r.abort()
		return 0, producerFenced(TransactionalID(r.h.o.Worker, p.inv), err)
	}
	p.res.Written += a.written - int64(tracker.noted())
	p.res.Committed += tracker.noted()
	return n, nil
}

// fill polls batches into the open transaction until the boundary: one poll
// (transaction.boundary=poll), or until transaction.boundary.interval.ms
// passed (interval).
func (r *eosRun) fill(ctx context.Context, task connectors.SourceTask, tr *offsetTracker, a *acks) (int, error) {
	end := time.Now().Add(r.interval)
	for {
		n, err := r.h.pollOnce(ctx, task, r.p, tr, r.cl, a)
		if err != nil || n <= 0 || r.boundary != "interval" || !time.Now().Before(end) || r.p.full() {
			return n, err
		}
	}
}

func (r *eosRun) produceOffsets(ctx context.Context, tr *offsetTracker, a *acks) error {
	recs, err := r.offsets.Records(r.p.inv.Connector, tr.entries())
	if err != nil {
		return err
	}
	for _, rec := range recs {
		a.wg.Add(1)
		r.cl.Produce(ctx, rec, a.done)
	}
	return nil
}

// flush waits for every record of the transaction; any failure aborts it.
// Dead letters are written (fenced, outside the transaction) before commit.
func (r *eosRun) flush(ctx context.Context, a *acks) error {
	if err := a.wait(ctx); err != nil {
		return err
	}
	if len(a.failed) > 0 {
		f := a.failed[0]
		return &RecordError{Stage: StageKafkaProduce, Class: "kgo.Client", Where: "producing to " + f.rec.Topic + " in a transaction", Err: f.err}
	}
	return r.h.flushDLQ(ctx, r.p)
}

// abort rolls the open transaction back; records already sent are discarded
// by read_committed consumers.
func (r *eosRun) abort() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.cl.AbortBufferedRecords(ctx)
	_ = r.cl.EndTransaction(ctx, kgo.TryAbort)
}

func isProducerFenced(err error) bool {
	return errors.Is(err, kerr.ProducerFenced) || errors.Is(err, kerr.InvalidProducerEpoch)
}

// producerFenced maps the broker's fencing of this producer to state.ErrFenced.
func producerFenced(txnID string, err error) error {
	if isProducerFenced(err) {
		return fmt.Errorf("committing transaction %s: a newer producer took over: %w: %w", txnID, state.ErrFenced, err)
	}
	return retriable("committing transaction %s: %w", txnID, err)
}
