package kafka

import (
	"context"
	"fmt"
	"slices"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kgo"
)

// NextEpoch takes the task's next epoch (1 first): a transaction of the
// task's producer writes epoch-<connector>-<task> to the ferry topic. Its
// InitProducerID fences any offset commit of the task still in flight.
func (s *Store) NextEpoch(ctx context.Context, connector string, task int) (int64, error) {
	var next int64
	err := s.cas(ctx, s.taskTxnID(connector, task), []string{s.o.Topics.Ferry}, func(v *view) ([]*kgo.Record, error) {
		next = v.meta.epochs[taskID{connector, task}] + 1
		return []*kgo.Record{{Topic: s.o.Topics.Ferry, Key: []byte(epochKey(connector, task)),
			Value: encode(epochValue{next})}}, nil
	})
	if err != nil {
		return 0, fmt.Errorf("take next epoch of task %s-%d: %w", connector, task, err)
	}
	return next, nil
}

// CheckEpoch returns an error wrapping state.ErrFenced unless epoch is the
// task's current epoch.
func (s *Store) CheckEpoch(ctx context.Context, connector string, task int, epoch int64) error {
	var current int64
	err := s.read(ctx, func(v *view) { current = v.meta.epochs[taskID{connector, task}] }, s.o.Topics.Ferry)
	if err != nil {
		return fmt.Errorf("check epoch of task %s-%d: %w", connector, task, err)
	}
	return fenceErr(connector, task, epoch, current)
}

func fenceErr(connector string, task int, epoch, current int64) error {
	if epoch == current {
		return nil
	}
	return fmt.Errorf("task %s-%d: epoch %d is not the current epoch %d: %w", connector, task, epoch, current, state.ErrFenced)
}

// CommitOffsets writes entries to the offsets topic in Kafka Connect's format
// (a nil offset writes a tombstone) iff epoch is the task's current epoch, in
// one transaction of the task's producer: a newer NextEpoch either fences it
// or happened before it and is seen. Otherwise it writes nothing and returns
// an error wrapping state.ErrFenced.
func (s *Store) CommitOffsets(ctx context.Context, connector string, task int, epoch int64, entries []state.OffsetEntry) error {
	recs := make([]*kgo.Record, 0, len(entries))
	for i, e := range entries {
		if e.Partition == nil {
			return fmt.Errorf("offset entry %d of connector %s has no partition", i, connector)
		}
		k, err := state.OffsetKey(connector, e.Partition)
		if err != nil {
			return fmt.Errorf("offset entry %d of connector %s: partition: %w", i, connector, err)
		}
		v, err := state.OffsetValue(e.Offset)
		if err != nil {
			return fmt.Errorf("offset entry %d of connector %s: offset: %w", i, connector, err)
		}
		recs = append(recs, &kgo.Record{Topic: s.o.Topics.Offsets, Key: k, Value: v})
	}
	err := s.cas(ctx, s.taskTxnID(connector, task), []string{s.o.Topics.Ferry}, func(v *view) ([]*kgo.Record, error) {
		if err := fenceErr(connector, task, epoch, v.meta.epochs[taskID{connector, task}]); err != nil {
			return nil, err
		}
		return recs, nil
	})
	if err != nil {
		return fmt.Errorf("commit offsets of task %s-%d: %w", connector, task, err)
	}
	return nil
}

// ReadOffsets returns every committed partition of a connector with its
// offset, ordered by key bytes.
func (s *Store) ReadOffsets(ctx context.Context, connector string) ([]state.OffsetEntry, error) {
	var out []state.OffsetEntry
	err := s.read(ctx, func(v *view) {
		keys := make([]string, 0, len(v.offsets[connector]))
		for k := range v.offsets[connector] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out = make([]state.OffsetEntry, 0, len(keys))
		for _, k := range keys {
			out = append(out, v.offsets[connector][k])
		}
	}, s.o.Topics.Offsets)
	if err != nil {
		return nil, fmt.Errorf("read offsets of %s: %w", connector, err)
	}
	return out, nil
}
