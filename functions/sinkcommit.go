package functions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// A sink's offset commit is fenced by the broker, as the exactly-once source
// commit is: before it reads the committed offsets it starts from, a sink
// invocation that has work initializes the task's transactional producer id
// (InitProducerID for TransactionalID, sent through the connector's pooled
// producer). That bumps the producer epoch, so every older
// invocation's producer is fenced, and completes or aborts an older
// invocation's commit still in flight. The offsets are then committed in one
// transaction (AddOffsetsToTxn, TxnOffsetCommit, EndTxn) of that producer.
// Between an invocation's start and its commit no other invocation can have
// committed (its InitProducerID would have fenced this one), and each
// invocation starts from the offsets committed before it, so the group's
// offsets never move backwards. The store's epoch check stays in front: a
// stale invocation must not even start a producer, which would fence the
// live one.

// groupTxn is one sink invocation's transaction. Its requests go through
// the connector's producer (Handler's pooled producer, or the one for its
// producer.override.* keys: the same principal a producer of its own would
// have), as raw transaction requests: no client is connected per invocation.
type groupTxn struct {
	cl      *kgo.Client
	release func()
	id      string
	pid     int64
	epoch   int16
}

// takeOverGroup fences older invocations of the task and re-reads where the
// plan starts, now that no older commit can still land.
func (h *Handler) takeOverGroup(ctx context.Context, inv Invocation, plan *sinkPlan) (*groupTxn, error) {
	id := TransactionalID(h.o.Worker, inv)
	if err := h.fence(ctx, inv, "starting transactional producer "+id+" for group "+plan.group); err != nil {
		return nil, err
	}
	cl, release, err := h.kafka.connectorProducer(inv.Config)
	if err != nil {
		return nil, err
	}
	t := &groupTxn{cl: cl, release: release, id: id}
	if err := h.kafka.check(ctx, cl); err != nil {
		t.close()
		return nil, err
	}
	if err := t.initProducer(ctx, max(time.Until(inv.Deadline)*2, 10*time.Second)); err != nil {
		t.close()
		return nil, producerFenced(id, fmt.Errorf("initializing transactional producer: %w", err))
	}
	if err := h.fetchStarts(kadm.RequireStable(ctx), plan); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

// initProducer sends InitProducerID for the task's transactional id, as a
// new transactional producer does: the broker bumps the id's epoch (every
// older invocation's commit is fenced) and completes or aborts a
// transaction an older invocation left open.
func (t *groupTxn) initProducer(ctx context.Context, timeout time.Duration) error {
	req := kmsg.NewPtrInitProducerIDRequest()
	req.TransactionalID, req.TransactionTimeoutMillis = &t.id, int32(timeout.Milliseconds())
	req.ProducerID, req.ProducerEpoch = -1, -1
	return t.retry(ctx, func() error {
		resp, err := req.RequestWith(ctx, t.cl)
		if err != nil {
			return err
		}
		t.pid, t.epoch = resp.ProducerID, resp.ProducerEpoch
		return kerr.ErrorForCode(resp.ErrorCode)
	})
}

func (t *groupTxn) close() { t.release() }

// fetchStarts sets where each of the plan's partitions starts: the group's
// committed offset, else per auto.offset.reset the log start (earliest,
// Kafka Connect's sink default) or its end (latest); none fails the task.
func (h *Handler) fetchStarts(ctx context.Context, plan *sinkPlan) error {
	if len(plan.mine) == 0 {
		return nil
	}
	adm, _, err := h.kafka.admin()
	if err != nil {
		return err
	}
	// The group's commits of every topic: FetchOffsetsForTopics would also
	// list the plan's topics first, and fail the invocation while one of
	// them does not exist yet (a partition without a commit is looked up
	// as one anyway).
	committed, err := adm.FetchOffsets(ctx, plan.group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		committed, err = nil, nil // no commit yet: start from the log start
	}
	if err != nil {
		return retriable("fetching offsets of group %s: %w", plan.group, err)
	}
	var starts kadm.ListedOffsets // read only for a partition without a commit
	if plan.reset != "latest" && plan.reset != "none" && !allCommitted(committed, plan.mine) {
		if starts, err = adm.ListStartOffsets(ctx, plan.topics...); err != nil {
			return retriable("listing start offsets of %v: %w", plan.topics, err)
		}
	}
	plan.state, plan.latest = map[topicPartition]string{}, map[topicPartition]bool{}
	for _, tp := range plan.mine {
		plan.start[tp] = startOffset(committed, starts, tp)
		if c, ok := committed.Lookup(tp.topic, tp.partition); !ok || c.Err != nil || c.At < 0 {
			switch plan.reset {
			case "latest":
				plan.start[tp], plan.latest[tp] = plan.end[tp], true
			case "none":
				return fmt.Errorf("%w: group %s has no committed offset for %s[%d] and auto.offset.reset=none", ErrInvocation, plan.group, tp.topic, tp.partition)
			}
		}
		if c, ok := committed.Lookup(tp.topic, tp.partition); ok && c.Err == nil && c.At == plan.start[tp] && c.Metadata != "" {
			plan.state[tp] = c.Metadata
		}
	}
	return h.resetPastEnd(ctx, plan, starts)
}

// resetPastEnd resets a partition whose committed offset is past its end (a
// log truncated by an unclean leader election, offsets set by hand) as
// Kafka Connect's consumer does on OFFSET_OUT_OF_RANGE, per
// auto.offset.reset: to the log start (earliest) or the end (latest), the
// position committed even when nothing is read (plan.latest); none fails
// the task. Left there, the task would read nothing until the log passed the
// commit and then skip every record below it. starts are the log start
// offsets when fetchStarts read them.
func (h *Handler) resetPastEnd(ctx context.Context, plan *sinkPlan, starts kadm.ListedOffsets) error {
	past, err := h.pastEnd(ctx, plan)
	if err != nil || len(past) == 0 {
		return err
	}
	for _, tp := range past {
		switch plan.reset {
		case "none":
			return fmt.Errorf("%w: group %s's offset %d of %s[%d] is past its end %d and auto.offset.reset=none: reset the group's offsets (PATCH /connectors/{name}/offsets) or set consumer.override.auto.offset.reset=earliest",
				ErrInvocation, plan.group, plan.start[tp], tp.topic, tp.partition, plan.end[tp])
		case "latest":
			plan.start[tp] = plan.end[tp]
		default:
			if starts == nil {
				adm, _, err := h.kafka.admin()
				if err != nil {
					return err
				}
				if starts, err = adm.ListStartOffsets(ctx, plan.topics...); err != nil {
					return retriable("listing start offsets of %v: %w", plan.topics, err)
				}
			}
			s, _ := starts.Lookup(tp.topic, tp.partition)
			plan.start[tp] = min(max(s.Offset, 0), plan.end[tp])
		}
		plan.latest[tp] = true
		delete(plan.state, tp)
	}
	return nil
}

// pastEnd lists the plan's partitions whose start (the committed offset) is
// past their end. The plan's end offsets were read before the commit: an
// older invocation may have read records produced since and committed past
// them, so a partition past its end is looked up again, and only one still
// past its new end is listed; the others' ends are raised.
func (h *Handler) pastEnd(ctx context.Context, plan *sinkPlan) ([]topicPartition, error) {
	var past []topicPartition
	for _, tp := range plan.mine {
		if plan.start[tp] > plan.end[tp] {
			past = append(past, tp)
		}
	}
	if len(past) == 0 {
		return nil, nil
	}
	adm, _, err := h.kafka.admin()
	if err != nil {
		return nil, err
	}
	ends, err := adm.ListEndOffsets(ctx, plan.topics...)
	if err != nil {
		return nil, retriable("listing end offsets of %v: %w", plan.topics, err)
	}
	still := past[:0]
	for _, tp := range past {
		if e, ok := ends.Lookup(tp.topic, tp.partition); ok && e.Err == nil {
			plan.end[tp] = max(plan.end[tp], e.Offset)
		}
		if plan.start[tp] > plan.end[tp] {
			still = append(still, tp)
		}
	}
	return still, nil
}

// allCommitted reports whether the group has a committed offset for each of mine.
func allCommitted(committed kadm.OffsetResponses, mine []topicPartition) bool {
	for _, tp := range mine {
		if c, ok := committed.Lookup(tp.topic, tp.partition); !ok || c.Err != nil || c.At < 0 {
			return false
		}
	}
	return true
}

// maxCommitState bounds a task's state per partition (Kafka's
// offset.metadata.max.bytes defaults to 4096).
const maxCommitState = 1024

// resumeState hands a connectors.CommitStater the states committed with the
// offsets this invocation starts from.
func resumeState(task connectors.SinkTask, plan *sinkPlan) {
	cs, ok := task.(connectors.CommitStater)
	if !ok || len(plan.state) == 0 {
		return
	}
	out := make(map[connectors.TopicPartition]string, len(plan.state))
	for tp, st := range plan.state {
		out[connectors.TopicPartition{Topic: tp.topic, Partition: tp.partition}] = st
	}
	cs.ResumeState(out)
}

// commitState is the state a connectors.CommitStater wants committed, nil
// for other tasks; a state above maxCommitState is dropped.
func commitState(task connectors.SinkTask) map[topicPartition]string {
	cs, ok := task.(connectors.CommitStater)
	if !ok {
		return nil
	}
	out := map[topicPartition]string{}
	for tp, st := range cs.CommitState() {
		if len(st) <= maxCommitState {
			out[topicPartition{tp.Topic, tp.Partition}] = st
		}
	}
	return out
}

// commitSink commits the consumer group offsets in the invocation's
// transaction, only while the epoch is current and no newer invocation
// started its producer.
// A partition is committed when its offset moved, or when the state a
// connectors.CommitStater keeps with it changed.
func (h *Handler) commitSink(ctx context.Context, p *pipeline, txn *groupTxn, plan *sinkPlan, next map[topicPartition]int64, states map[topicPartition]string) error {
	done := timeCommit(p.res)
	if err := h.fence(ctx, p.inv, "committing offsets of group "+plan.group); err != nil {
		return done(err)
	}
	topics := map[string][]kmsg.TxnOffsetCommitRequestTopicPartition{}
	for tp, off := range next {
		if off > plan.start[tp] || plan.latest[tp] || (states != nil && off == plan.start[tp] && states[tp] != plan.state[tp]) {
			part := kmsg.NewTxnOffsetCommitRequestTopicPartition()
			part.Partition, part.Offset, part.LeaderEpoch = tp.partition, off, -1
			if st, ok := states[tp]; ok {
				part.Metadata = &st
			}
			topics[tp.topic] = append(topics[tp.topic], part)
		}
	}
	if len(topics) == 0 {
		return done(nil)
	}
	// Newer TxnOffsetCommit versions name topics by id: the ids the plan
	// read from the broker.
	if err := txn.commit(ctx, plan.group, topics, plan.ids); err != nil {
		txn.abort()
		return done(producerFenced(txn.id, fmt.Errorf("committing offsets of group %s: %w", plan.group, err)))
	}
	p.res.Committed = len(next)
	return done(nil)
}

// commit runs one transaction holding only the group's offsets.
func (t *groupTxn) commit(ctx context.Context, group string, topics map[string][]kmsg.TxnOffsetCommitRequestTopicPartition, ids map[string]topicID) error {
	add := kmsg.NewPtrAddOffsetsToTxnRequest()
	add.TransactionalID, add.ProducerID, add.ProducerEpoch, add.Group = t.id, t.pid, t.epoch, group
	if err := t.retry(ctx, func() error {
		resp, err := add.RequestWith(ctx, t.cl)
		if err != nil {
			return err
		}
		return kerr.ErrorForCode(resp.ErrorCode)
	}); err != nil {
		return fmt.Errorf("adding offsets to transaction: %w", err)
	}
	oc := kmsg.NewPtrTxnOffsetCommitRequest()
	oc.TransactionalID, oc.Group, oc.ProducerID, oc.ProducerEpoch, oc.Generation = t.id, group, t.pid, t.epoch, -1
	for topic, parts := range topics {
		rt := kmsg.NewTxnOffsetCommitRequestTopic()
		rt.Topic, rt.TopicID, rt.Partitions = topic, ids[topic], parts
		oc.Topics = append(oc.Topics, rt)
	}
	resp, err := oc.RequestWith(ctx, t.cl)
	if err != nil {
		return fmt.Errorf("transactional offset commit: %w", err)
	}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				return fmt.Errorf("transactional offset commit of %s%x[%d]: %w", rt.Topic, rt.TopicID, rp.Partition, err)
			}
		}
	}
	return t.end(ctx, true)
}

// end commits or aborts the transaction.
func (t *groupTxn) end(ctx context.Context, commit bool) error {
	req := kmsg.NewPtrEndTxnRequest()
	req.TransactionalID, req.ProducerID, req.ProducerEpoch, req.Commit = t.id, t.pid, t.epoch, commit
	return t.retry(ctx, func() error {
		resp, err := req.RequestWith(ctx, t.cl)
		if err != nil {
			return err
		}
		return kerr.ErrorForCode(resp.ErrorCode)
	})
}

// abort rolls back an unfinished commit; the next invocation's producer
// would abort it too.
func (t *groupTxn) abort() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = t.end(ctx, false)
}

// retry repeats a transaction step while the coordinator is still finishing
// the previous one (CONCURRENT_TRANSACTIONS), until ctx is done.
func (t *groupTxn) retry(ctx context.Context, step func() error) error {
	for wait := 2 * time.Millisecond; ; wait = min(wait*2, 200*time.Millisecond) {
		err := step()
		if !errors.Is(err, kerr.ConcurrentTransactions) {
			return err
		}
		if serr := sleepCtx(ctx, wait); serr != nil {
			return err
		}
	}
}

// startOffset is the committed offset, or the log start (auto.offset.reset=earliest).
func startOffset(committed kadm.OffsetResponses, starts kadm.ListedOffsets, tp topicPartition) int64 {
	if c, ok := committed.Lookup(tp.topic, tp.partition); ok && c.Err == nil && c.At >= 0 {
		return c.At
	}
	s, _ := starts.Lookup(tp.topic, tp.partition)
	return max(s.Offset, 0)
}
