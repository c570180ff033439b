package functions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// GroupID is the consumer group of a sink connector without
// consumer.override.group.id, as Kafka Connect names it (connectors.SinkGroup).
func GroupID(connector string) string { return connectors.SinkGroup(connector, nil) }

// sinkGroup is the group a sink reads and commits (connectors.SinkGroup, the
// one rule the REST offsets endpoints use too).
func sinkGroup(cfg map[string]string, connector string) string {
	return connectors.SinkGroup(connector, cfg)
}

// runSink reads the task's partitions from their committed offsets up to the
// end offsets seen at start, writes them through the task, flushes, and
// commits the consumer group offsets in a transaction of the task's
// transactional producer, which fences every older invocation (sinkcommit.go).
func (h *Handler) runSink(ctx context.Context, plugin *connectors.Plugin, p *pipeline) (err error) {
	lctx, loaded := phase(ctx, "load offsets")
	plan, err := h.planSink(lctx, p.inv, p.built.Sink)
	if loaded(err) != nil {
		return err
	}
	next := make(map[topicPartition]int64, len(plan.start))
	for tp, off := range plan.start {
		next[tp] = off
	}
	if !plan.behind && lag(next, plan.end) == 0 && len(plan.latest) == 0 {
		p.res.PartitionLag = partitionLag(next, plan.end)
		return nil
	}
	txn, err := h.takeOverGroup(ctx, p.inv, plan)
	if err != nil {
		return err
	}
	defer txn.close()
	for tp, off := range plan.start {
		next[tp] = off
	}
	task := plugin.NewSink()
	defer closeTask(task)
	if err := task.Open(ctx, p.inv.Config); err != nil {
		return fmt.Errorf("starting task %s-%d: %w", p.inv.Connector, p.inv.Task, err)
	}
	resumeState(task, plan)
	p.printValues(task)
	sc, err := h.kafka.takeConsumer(p.inv.Config, taskName(p.inv), fetchSize(task))
	if err != nil {
		return err
	}
	defer func() { h.kafka.releaseConsumer(sc, plan.topics, next, err == nil) }()
	fctx, fetched := phase(ctx, "fetch and put")
	if err = fetched(h.consume(fctx, task, p, plan, next, sc)); err != nil {
		return err
	}
	_, flushed := phase(ctx, "flush")
	if err := flushed(p.errs.retry(ctx, func() error { return task.Flush(ctx) })); err != nil {
		return &RecordError{Stage: StageTaskPut, Class: plugin.Class, Where: "flushing the sink", Err: err}
	}
	if err := h.flushDLQ(ctx, p); err != nil {
		return err
	}
	cctx, committed := phase(ctx, "commit")
	if err := committed(h.commitSink(cctx, p, txn, plan, durable(task, next), commitState(task))); err != nil {
		return err
	}
	p.res.Lag = lag(next, plan.end)
	p.res.PartitionLag = partitionLag(next, plan.end)
	p.res.More = p.res.Lag > 0
	return nil
}

// partitionLag lists the lag of each of the task's topic-partitions, sorted.
func partitionLag(next, end map[topicPartition]int64) []PartitionLag {
	out := make([]PartitionLag, 0, len(end))
	for tp, e := range end {
		out = append(out, PartitionLag{Topic: tp.topic, Partition: tp.partition, Lag: max(e-next[tp], 0)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Topic != out[j].Topic {
			return out[i].Topic < out[j].Topic
		}
		return out[i].Partition < out[j].Partition
	})
	return out
}

// durable lowers next to the offsets a connectors.OffsetReporter says are
// durable, so a sink that holds back an unfinished file is read again from it.
func durable(task connectors.SinkTask, next map[topicPartition]int64) map[topicPartition]int64 {
	rep, ok := task.(connectors.OffsetReporter)
	if !ok {
		return next
	}
	upTo := rep.Committable()
	out := make(map[topicPartition]int64, len(next))
	for tp, off := range next {
		if c, held := upTo[connectors.TopicPartition{Topic: tp.topic, Partition: tp.partition}]; held && c < off {
			off = c
		}
		out[tp] = off
	}
	return out
}

func lag(next, end map[topicPartition]int64) int64 {
	var n int64
	for tp, e := range end {
		if d := e - next[tp]; d > 0 {
			n += d
		}
	}
	return n
}

// consume fetches from the plan's partitions with sc, from the offsets the
// plan read from the group's commit, and hands batches to the task until
// every partition reached its end offset or the invocation is full.
func (h *Handler) consume(ctx context.Context, task connectors.SinkTask, p *pipeline, plan *sinkPlan, next map[topicPartition]int64, sc *sinkConsumer) error {
	want := map[topicPartition]int64{}
	for tp, off := range plan.start {
		if plan.end[tp] > off {
			want[tp] = off
		}
	}
	sc.assign(taskName(p.inv), want, plan.ids)
	size := pollSize(task, sc.pollMax)
	puts := newPutter(h, task, p)
	defer puts.abandon()
	if p.printer != nil && !puts.overlap { // the task keeps nothing of a record past its Put
		h.memory.lend(p)
		defer h.memory.keep(p)
	}
	for lag(next, plan.end) > 0 && !p.full() {
		batch, originals, err := p.gather(ctx, sc, size, plan, next)
		if err != nil {
			return err
		}
		if err := puts.put(ctx, batch, originals); err != nil {
			return err
		}
		if p.reused {
			p.batch, p.originals = batch, originals
			p.rewind()
		}
	}
	if err := puts.finish(ctx); err != nil {
		return err
	}
	if lag(next, plan.end) > 0 && !time.Now().Before(p.budget) {
		return h.skipDeleted(ctx, plan, next, sc)
	}
	return nil
}

// taskName names an invocation's task: connector-task.
func taskName(inv Invocation) string { return inv.Connector + "-" + strconv.Itoa(inv.Task) }

// fetchError is the first error of f, retriable but for an offset out of
// range: the client returns that only with auto.offset.reset=none (any other
// policy resets the partition), where Kafka Connect's consumer throws and
// fails the task.
func fetchError(f kgo.Fetches) error {
	for _, fe := range f.Errors() {
		if fe.Err == context.DeadlineExceeded || fe.Err == context.Canceled {
			continue
		}
		if errors.Is(fe.Err, kerr.OffsetOutOfRange) {
			return fmt.Errorf("%w: the group's offset of %s[%d] is out of range (retention deleted records the sink had not read) and auto.offset.reset=none: reset the group's offsets (PATCH /connectors/{name}/offsets) or set consumer.override.auto.offset.reset=earliest", ErrInvocation, fe.Topic, fe.Partition)
		}
		return retriable("fetching %s[%d]: %w", fe.Topic, fe.Partition, fe.Err)
	}
	return nil
}

// gather polls and converts until it holds size records for the task (a
// poll returns at most what one fetch brought, 256 KiB of a partition by
// default), the records read add up to fetch.max.bytes (what one poll may
// bring in Kafka Connect), every partition reached its end offset or the
// invocation is full; it returns the records for the task and, for each,
// the Kafka record it came from.
func (p *pipeline) gather(ctx context.Context, sc *sinkConsumer, size int, plan *sinkPlan, next map[topicPartition]int64) ([]*connectors.Record, []*kgo.Record, error) {
	g := gathered{batch: p.batch[:0], originals: p.originals[:0]} // empty unless the memory is reused
	for {
		pctx, cancel := context.WithDeadline(ctx, p.budget)
		fetches := sc.cl.PollRecords(pctx, p.left(size-len(g.batch)))
		cancel()
		if err := fetchError(fetches); err != nil {
			return nil, nil, err
		}
		if err := p.convertFetches(ctx, fetches, next, &g); err != nil {
			return nil, nil, err
		}
		if len(g.batch) >= size || g.raw >= sc.fetchMax || lag(next, plan.end) == 0 || p.full() {
			return g.batch, g.originals, nil
		}
	}
}

// gathered are the records gather collects for one Put: for each, the Kafka
// record it came from, and the key and value bytes of every record read.
type gathered struct {
	batch     []*connectors.Record
	originals []*kgo.Record
	raw       int
}

// convertFetches converts and transforms the records of f past next, in
// order, advancing next, and appends them to g.
func (p *pipeline) convertFetches(ctx context.Context, f kgo.Fetches, next map[topicPartition]int64, g *gathered) error {
	batch, originals := slices.Grow(g.batch, f.NumRecords()), slices.Grow(g.originals, f.NumRecords())
	slab := p.recordBlock(f.NumRecords())
	var convErr error
	// cur is the partition of the records in hand (a fetch holds each
	// partition's records together) and curNext its next offset, written back
	// to next when the partition changes and at the end: one map lookup per
	// partition, not two per record.
	var cur topicPartition
	curNext, have := int64(0), false
	setPartition := func(tp topicPartition) bool {
		if have {
			next[cur] = curNext
		}
		curNext, have = next[tp]
		cur = tp
		return have
	}
	f.EachRecord(func(kr *kgo.Record) {
		if convErr != nil {
			return
		}
		if tp := (topicPartition{kr.Topic, kr.Partition}); (!have || tp != cur) && !setPartition(tp) {
			return // a partition outside the invocation's plan
		}
		if kr.Offset < curNext {
			return // before where the invocation starts
		}
		if kr.Attrs.IsControl() { // a transaction marker: not a record, but it takes an offset
			curNext = kr.Offset + 1
			return
		}
		p.res.Read++
		g.raw += len(kr.Key) + len(kr.Value)
		p.noteTopic(kr.Topic)
		r, err := p.fromKafkaInto(ctx, kr, p.record(&slab))
		if err != nil {
			convErr = err
			return
		}
		curNext = kr.Offset + 1
		if r != nil {
			batch = append(batch, r)
			originals = append(originals, kr)
		}
	})
	if have {
		next[cur] = curNext
	}
	g.batch, g.originals = batch, originals
	return convErr
}

// put hands a batch to the task, retrying retriable failures; records the
// task rejects (connectors.RejectedError) go through errors.tolerance and the
// dead-letter queue with their original bytes (originals[i] is batch[i]'s).
func (h *Handler) put(ctx context.Context, task connectors.SinkTask, p *pipeline, batch []*connectors.Record, originals []*kgo.Record) error {
	start := time.Now()
	return h.putDone(ctx, p, batch, originals, start, p.errs.retry(ctx, func() error { return task.Put(ctx, batch) }))
}

// putDone settles a Put of batch started at start that ended with err (its
// retries done): rejected records go through errors.tolerance and the
// dead-letter queue, the rest count as written.
func (h *Handler) putDone(ctx context.Context, p *pipeline, batch []*connectors.Record, originals []*kgo.Record, start time.Time, err error) error {
	p.noteBatch(start, len(batch))
	var rej *connectors.RejectedError
	switch {
	case err == nil:
	case errors.As(err, &rej):
		consumed := make(map[*connectors.Record]*kgo.Record, len(batch))
		for i, r := range batch {
			consumed[r] = originals[i]
		}
		for _, rr := range rej.Rejected {
			kr := consumed[rr.Record]
			if kr == nil {
				return fmt.Errorf("task %s-%d rejected a record it was not given: %w", p.inv.Connector, p.inv.Task, rr.Err)
			}
			o := origin{consumed: kr}
			re := &RecordError{Stage: StageTaskPut, Class: p.inv.Class, Err: rr.Err, rejected: true, Where: o.where()}
			if ferr := p.fail(ctx, re, o); ferr != nil {
				return ferr
			}
		}
		p.res.Written -= int64(len(rej.Rejected))
	default:
		return &RecordError{Stage: StageTaskPut, Class: p.inv.Class, Where: fmt.Sprintf("putting %d records", len(batch)), Err: err}
	}
	p.res.Written += int64(len(batch))
	return nil
}
