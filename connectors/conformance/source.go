package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// offsets is an OffsetReader over committed offsets, keyed as the offset
// store keys them (the partition's JSON), holding what a JSON round trip
// gives back (numbers as float64), as the function handler hands them over.
type offsets map[string]map[string]any

// Offset returns the committed offset of partition, or nil.
func (o offsets) Offset(partition map[string]any) map[string]any {
	k, err := json.Marshal(partition)
	if err != nil {
		return nil
	}
	return o[string(k)]
}

// commit notes r's source offset as committed.
func (o offsets) commit(r *connectors.Record) error {
	k, err := json.Marshal(r.SourcePartition)
	if err != nil {
		return err
	}
	var off map[string]any
	if err := roundTrip(r.SourceOffsetMap(), &off); err != nil {
		return err
	}
	o[string(k)] = off
	return nil
}

// roundTrip is the offset store's JSON encode and decode of v into dst.
func roundTrip(v any, dst *map[string]any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// openSource opens the first task of a one-task split at committed.
func openSource(ctx context.Context, f Fixture, committed offsets) (connectors.SourceTask, error) {
	split, err := f.taskConfigs(ctx, 1)
	if err != nil {
		return nil, err
	}
	task := f.Plugin.NewSource()
	if err := task.Open(ctx, split[0], committed); err != nil {
		return nil, fmt.Errorf("Open: %w", err)
	}
	return task, nil
}

// poll polls task until it has n records or returns an empty batch.
func poll(ctx context.Context, task connectors.SourceTask, n int) ([]*connectors.Record, error) {
	var out []*connectors.Record
	for len(out) < n {
		batch, err := task.Poll(ctx)
		if err != nil {
			return out, fmt.Errorf("Poll after %d records: %w", len(out), err)
		}
		if len(batch) == 0 {
			break
		}
		out = append(out, batch...)
	}
	return out, nil
}

// checkSourceOffsets: every record names its topic, source partition and
// offset, and the partition and offset survive the offset store's JSON.
func checkSourceOffsets(ctx context.Context, f Fixture) (string, error) {
	task, err := openSource(ctx, f, offsets{})
	if err != nil {
		return "", err
	}
	defer closeTask(task)
	recs, err := poll(ctx, task, f.Records)
	if err != nil {
		return "", err
	}
	if len(recs) < f.Records {
		return "", fmt.Errorf("the fixture's Config gave %d records before an empty Poll, want Fixture.Records=%d", len(recs), f.Records)
	}
	for i, r := range recs {
		if r.Topic == "" || r.SourcePartition == nil || r.SourceOffsetMap() == nil {
			return "", fmt.Errorf("record %d has topic %q, source partition %v, source offset %v: a source record needs all three (connectors.NewSourceRecord)", i, r.Topic, r.SourcePartition, r.SourceOffsetMap())
		}
		for what, m := range map[string]map[string]any{"partition": r.SourcePartition, "offset": r.SourceOffsetMap()} {
			var back map[string]any
			if err := roundTrip(m, &back); err != nil {
				return "", fmt.Errorf("record %d: source %s %v is not JSON: %w", i, what, m, err)
			}
			want, _ := json.Marshal(m)
			got, _ := json.Marshal(back)
			if string(want) != string(got) {
				return "", fmt.Errorf("record %d: source %s %v does not survive JSON: keep it to strings, numbers and booleans", i, what, m)
			}
		}
	}
	return "", nil
}

// checkSourceRestart: a new task opened at the offsets committed after the
// first half of the records goes on with the second half.
func checkSourceRestart(ctx context.Context, f Fixture) (string, error) {
	first, err := openSource(ctx, f, offsets{})
	if err != nil {
		return "", err
	}
	all, err := poll(ctx, first, f.Records)
	closeTask(first)
	if err != nil {
		return "", err
	}
	if len(all) < 2 {
		return "", fmt.Errorf("the fixture's Config gave %d records: the restart check needs at least 2", len(all))
	}
	half := len(all) / 2
	committed := offsets{}
	for _, r := range all[:half] {
		if err := committed.commit(r); err != nil {
			return "", fmt.Errorf("source offset %v: %w", r.SourceOffsetMap(), err)
		}
	}
	again, err := openSource(ctx, f, committed)
	if err != nil {
		return "", fmt.Errorf("reopening at committed offsets %v: %w", committed, err)
	}
	defer closeTask(again)
	rest, err := poll(ctx, again, len(all)-half)
	if err != nil {
		return "", err
	}
	want := all[half:]
	if len(rest) < len(want) {
		return "", fmt.Errorf("reopened at %v the task gave %d records, want the %d after the committed offsets", committed, len(rest), len(want))
	}
	for i, w := range want {
		if g := rest[i]; !sameRecord(g, w) {
			return "", fmt.Errorf("reopened at %v, record %d is %s, want %s (the record after the committed offset)", committed, i, describe(g), describe(w))
		}
	}
	return "", nil
}

// sameRecord compares what a restart must reproduce: topic, key, value and
// source partition (not the offset, which may count restarts, as datagen's
// task.generation does).
func sameRecord(a, b *connectors.Record) bool {
	pa, _ := json.Marshal(a.SourcePartition)
	pb, _ := json.Marshal(b.SourcePartition)
	return a.Topic == b.Topic && reflect.DeepEqual(a.Key, b.Key) && reflect.DeepEqual(a.Value, b.Value) && string(pa) == string(pb)
}

func describe(r *connectors.Record) string {
	p, _ := json.Marshal(r.SourcePartition)
	o, _ := json.Marshal(r.SourceOffsetMap())
	return fmt.Sprintf("%s %s@%s", r.Topic, p, o)
}

// checkSourceRetriable: Poll fails retriably while the system is away.
func checkSourceRetriable(ctx context.Context, f Fixture) (string, error) {
	return unavailable(f, func() error {
		task := f.Plugin.NewSource()
		defer closeTask(task)
		split, err := f.taskConfigs(ctx, 1)
		if err != nil {
			return err
		}
		err = task.Open(ctx, split[0], offsets{})
		if err == nil {
			_, err = poll(ctx, task, f.Records)
		}
		if !connectors.IsRetriable(err) {
			return errNotRetriable("Open and Poll", err)
		}
		return nil
	})
}

// checkSourceClose: Close after Open and Poll succeeds and leaves no
// goroutine behind.
func checkSourceClose(ctx context.Context, f Fixture) (string, error) {
	before := runtime.NumGoroutine()
	task, err := openSource(ctx, f, offsets{})
	if err != nil {
		return "", err
	}
	if _, err := poll(ctx, task, 1); err != nil {
		closeTask(task)
		return "", err
	}
	if err := closeTask(task); err != nil {
		return "", fmt.Errorf("Close: %w", err)
	}
	return "", noLeak(ctx, before)
}

// noLeak waits, up to a second, for the goroutine count to fall back to before.
func noLeak(ctx context.Context, before int) error {
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.New("goroutines started by the task still run after Close: a task owns and stops every goroutine it starts")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}
