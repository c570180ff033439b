// Offsets is the offsets topic as exactly-once sources use it: offset
// records produced inside the source's own Kafka transaction (Records), read
// back with read_committed (Read). The full store (Store) keeps the same
// topic in the same format.

package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// DefaultTopic is Kafka Connect's default offset.storage.topic.
const DefaultTopic = "connect-offsets"

// Partitions and ReplicationFactor are what Kafka Connect creates the
// offsets topic with (offset.storage.partitions, offset.storage.replication.factor).
const (
	Partitions        = 25
	ReplicationFactor = 3
)

// Offsets reads the offsets topic; writes go through the caller's producer.
type Offsets struct {
	seeds []string
	topic string
	opts  []kgo.Opt
}

// New returns the store of topic on the cluster at seeds; opts are extra
// client options (TLS, SASL).
func New(seeds []string, topic string, opts ...kgo.Opt) *Offsets {
	if topic == "" {
		topic = DefaultTopic
	}
	return &Offsets{seeds: seeds, topic: topic, opts: opts}
}

// Topic is the offsets topic's name.
func (o *Offsets) Topic() string { return o.topic }

// Ensure creates the offsets topic when absent, as Kafka Connect does:
// compacted, 25 partitions, replication factor 3 capped at the broker count.
func (o *Offsets) Ensure(ctx context.Context, adm *kadm.Client) error {
	meta, err := adm.Metadata(ctx, o.topic)
	if err != nil {
		return state.Retriable(fmt.Errorf("metadata of offsets topic %s: %w", o.topic, err))
	}
	if t, ok := meta.Topics[o.topic]; ok && t.Err == nil {
		return nil
	}
	rf := int16(min(ReplicationFactor, max(len(meta.Brokers), 1)))
	compact := "compact"
	resp, err := adm.CreateTopic(ctx, Partitions, rf, map[string]*string{"cleanup.policy": &compact}, o.topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return state.Retriable(fmt.Errorf("creating offsets topic %s: %w", o.topic, err))
	}
	return nil
}

// Records returns the offset records for entries, ready to be produced in
// the caller's transaction; a nil offset gives a tombstone.
func (o *Offsets) Records(connector string, entries []state.OffsetEntry) ([]*kgo.Record, error) {
	out := make([]*kgo.Record, 0, len(entries))
	for _, e := range entries {
		k, err := state.OffsetKey(connector, e.Partition)
		if err != nil {
			return nil, err
		}
		v, err := state.OffsetValue(e.Offset)
		if err != nil {
			return nil, err
		}
		out = append(out, &kgo.Record{Topic: o.topic, Key: k, Value: v})
	}
	return out, nil
}

// Read returns the committed offsets of connector: the topic is read from the
// start to its last stable offset with isolation.level=read_committed, the
// last value of each key wins, tombstones remove it, and keys that are not
// [string, map] are skipped (as Kafka Connect skips them).
func (o *Offsets) Read(ctx context.Context, connector string) ([]state.OffsetEntry, error) {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(o.seeds...),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.KeepControlRecords()}, o.opts...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka client for %v: %w", o.seeds, err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	meta, err := adm.Metadata(ctx, o.topic)
	if err != nil {
		return nil, state.Retriable(fmt.Errorf("metadata of offsets topic %s: %w", o.topic, err))
	}
	td, ok := meta.Topics[o.topic]
	if !ok || td.Err != nil || len(td.Partitions) == 0 {
		return nil, state.Retriable(fmt.Errorf("offsets topic %s is not available: %v", o.topic, td.Err))
	}
	ends, err := adm.ListCommittedOffsets(ctx, o.topic)
	if err != nil {
		return nil, state.Retriable(fmt.Errorf("last stable offsets of %s: %w", o.topic, err))
	}
	// Every partition must answer: a connector's offsets may be in any of
	// them, and reading past a missing one would restart the task from an
	// older position (duplicates under exactly-once).
	if err := ends.Error(); err != nil {
		return nil, state.Retriable(fmt.Errorf("last stable offsets of %s: %w", o.topic, err))
	}
	parts := map[int32]kgo.Offset{}
	want := map[int32]int64{}
	ends.Each(func(l kadm.ListedOffset) {
		if l.Offset > 0 {
			parts[l.Partition] = kgo.NewOffset().AtStart()
			want[l.Partition] = l.Offset
		}
	})
	if len(ends[o.topic]) != len(td.Partitions) {
		return nil, state.Retriable(fmt.Errorf("offsets topic %s: %d of %d partitions answered", o.topic, len(ends[o.topic]), len(td.Partitions)))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{o.topic: parts})
	latest, err := o.scan(ctx, cl, connector, want)
	if err != nil {
		return nil, err
	}
	return latest.entries(), nil
}

// scan polls until every partition reached its wanted offset.
func (o *Offsets) scan(ctx context.Context, cl *kgo.Client, connector string, want map[int32]int64) (*latest, error) {
	l := &latest{known: map[string]bool{}, byKey: map[string]state.OffsetEntry{}}
	for len(want) > 0 {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		f := cl.PollFetches(pctx)
		cancel()
		if err := ctx.Err(); err != nil {
			return nil, state.Retriable(fmt.Errorf("reading offsets topic %s: %w", o.topic, err))
		}
		for _, fe := range f.Errors() {
			if !errors.Is(fe.Err, context.DeadlineExceeded) {
				return nil, state.Retriable(fmt.Errorf("reading offsets topic %s[%d]: %w", fe.Topic, fe.Partition, fe.Err))
			}
		}
		f.EachRecord(func(r *kgo.Record) {
			if r.Offset+1 >= want[r.Partition] {
				delete(want, r.Partition)
			}
			if !r.Attrs.IsControl() {
				l.apply(connector, r)
			}
		})
	}
	return l, nil
}

// latest keeps the last offset of each partition key, in first-seen order.
type latest struct {
	order []string
	known map[string]bool
	byKey map[string]state.OffsetEntry
}

func (l *latest) apply(connector string, r *kgo.Record) {
	conn, partition, ok := state.DecodeOffsetKey(r.Key)
	if !ok || conn != connector || partition == nil {
		return
	}
	k := string(r.Key)
	if r.Value == nil {
		delete(l.byKey, k)
		return
	}
	off, err := state.DecodeOffsetValue(r.Value)
	if err != nil {
		return
	}
	if !l.known[k] {
		l.known[k] = true
		l.order = append(l.order, k)
	}
	l.byKey[k] = state.OffsetEntry{Partition: partition, Offset: off}
}

func (l *latest) entries() []state.OffsetEntry {
	out := make([]state.OffsetEntry, 0, len(l.byKey))
	for _, k := range l.order {
		if e, ok := l.byKey[k]; ok {
			out = append(out, e)
		}
	}
	return out
}
