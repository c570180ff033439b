package conformance

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"

	"github.com/ferryhq/ferry/connectors"
)

// sinkTopic is the topic of the records the suite gives a sink: the first
// of the fixture's topics, else "conformance".
func (f Fixture) sinkTopic() string {
	if ts := connectors.SplitList(f.Config["topics"]); len(ts) > 0 {
		return ts[0]
	}
	return "conformance"
}

// sinkRecords are n string records as the runtime hands them to Put after
// the StringConverter: partition 0, offsets from first.
func (f Fixture) sinkRecords(first, n int) []*connectors.Record {
	out := make([]*connectors.Record, n)
	for i := range out {
		off := int64(first + i)
		out[i] = &connectors.Record{Topic: f.sinkTopic(), Offset: off, Timestamp: 1_700_000_000_000 + off,
			KeySchema: connectors.OptionalStringSchema, Key: fmt.Sprintf("key-%d", off),
			ValueSchema: connectors.OptionalStringSchema, Value: fmt.Sprintf("value-%d", off)}
	}
	return out
}

// openSink opens the first task of a one-task split.
func openSink(ctx context.Context, f Fixture) (connectors.SinkTask, error) {
	split, err := f.taskConfigs(ctx, 1)
	if err != nil {
		return nil, err
	}
	task := f.Plugin.NewSink()
	if err := task.Open(ctx, split[0]); err != nil {
		return nil, fmt.Errorf("Open: %w", err)
	}
	return task, nil
}

// deliver is one invocation: Open, Put, Flush, Close.
func deliver(ctx context.Context, f Fixture, recs []*connectors.Record) error {
	task, err := openSink(ctx, f)
	if err != nil {
		return err
	}
	if err := task.Put(ctx, recs); err != nil {
		closeTask(task)
		return fmt.Errorf("Put: %w", err)
	}
	if err := task.Flush(ctx); err != nil {
		closeTask(task)
		return fmt.Errorf("Flush: %w", err)
	}
	if err := committable(task, recs); err != nil {
		closeTask(task)
		return err
	}
	if err := closeTask(task); err != nil {
		return fmt.Errorf("Close: %w", err)
	}
	return nil
}

// committable checks an OffsetReporter's offsets lie within what Put got.
func committable(task connectors.SinkTask, recs []*connectors.Record) error {
	rep, ok := task.(connectors.OffsetReporter)
	if !ok || len(recs) == 0 {
		return nil
	}
	lo, hi := recs[0].Offset, recs[len(recs)-1].Offset+1
	for tp, off := range rep.Committable() {
		if off < lo || off > hi {
			return fmt.Errorf("Committable gives %s-%d offset %d, outside the offsets given to Put (%d to %d)", tp.Topic, tp.Partition, off, lo, hi)
		}
	}
	return nil
}

// checkSinkPut: Put and Flush write every record, and Written reads them back.
func checkSinkPut(ctx context.Context, f Fixture) (string, error) {
	recs := f.sinkRecords(0, f.Records)
	if err := deliver(ctx, f, recs); err != nil {
		return "", err
	}
	return "", f.readBack(recs)
}

// readBack checks Written holds the values of recs, each once.
func (f Fixture) readBack(recs []*connectors.Record) error {
	if f.Written == nil {
		return nil
	}
	got, err := f.Written()
	if err != nil {
		return fmt.Errorf("the fixture's Written: %w", err)
	}
	want := make([]string, len(recs))
	for i, r := range recs {
		want[i] = fmt.Sprint(r.Value)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("the sink holds %q, want %q (each record once)", got, want)
	}
	return nil
}

// checkSinkRestart: a second invocation given the first one's records again
// (at-least-once redelivery after a commit was lost) and new ones succeeds.
func checkSinkRestart(ctx context.Context, f Fixture) (string, error) {
	first := f.sinkRecords(0, f.Records)
	if err := deliver(ctx, f, first); err != nil {
		return "", err
	}
	again := f.sinkRecords(f.Records/2, f.Records)
	if err := deliver(ctx, f, again); err != nil {
		return "", fmt.Errorf("redelivering offsets %d to %d in a new task: %w", f.Records/2, f.Records/2+f.Records-1, err)
	}
	if f.Written == nil {
		return "", nil
	}
	got, err := f.Written()
	if err != nil {
		return "", fmt.Errorf("the fixture's Written: %w", err)
	}
	if len(got) < f.Records/2+f.Records {
		return "", fmt.Errorf("after redelivery the sink holds %d values, want at least %d", len(got), f.Records/2+f.Records)
	}
	return "", nil
}

// checkSinkTombstone: a record with a nil value (a tombstone) is written,
// skipped or rejected as a value (*connectors.RejectedError), never a
// failure of the task.
func checkSinkTombstone(ctx context.Context, f Fixture) (string, error) {
	recs := f.sinkRecords(0, 2)
	recs[1].ValueSchema, recs[1].Value = nil, nil
	err := deliver(ctx, f, recs)
	var rej *connectors.RejectedError
	if errors.As(err, &rej) {
		if len(rej.Rejected) != 1 || rej.Rejected[0].Record != recs[1] {
			return "", fmt.Errorf("Put rejected %d records for one tombstone: reject only the tombstone", len(rej.Rejected))
		}
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("a tombstone failed the task: write it (a delete), skip it, or reject it with *connectors.RejectedError: %w", err)
	}
	return "", nil
}

// checkSinkRetriable: Open, Put or Flush fails retriably while the system is away.
func checkSinkRetriable(ctx context.Context, f Fixture) (string, error) {
	return unavailable(f, func() error {
		err := deliver(ctx, f, f.sinkRecords(0, 1))
		if !connectors.IsRetriable(err) {
			return errNotRetriable("Open, Put and Flush", err)
		}
		return nil
	})
}

// checkSinkClose: Close right after Open succeeds and leaves no goroutine behind.
func checkSinkClose(ctx context.Context, f Fixture) (string, error) {
	before := runtime.NumGoroutine()
	task, err := openSink(ctx, f)
	if err != nil {
		return "", err
	}
	if err := closeTask(task); err != nil {
		return "", fmt.Errorf("Close: %w", err)
	}
	return "", noLeak(ctx, before)
}
