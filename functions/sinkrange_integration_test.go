//go:build integration

package functions_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kadm"
)

// TestSinkCommitOutOfRange: retention deleted records past a sink
// group's committed offset (commit 5, DeleteRecords up to 15 or 20 of 20).
// Kafka Connect's consumer gets OFFSET_OUT_OF_RANGE and resets per
// auto.offset.reset: to the log start (earliest, the sink default: the
// records left are read) or to the end (latest). A ferry invocation must end
// with no lag and the group at the end, not report deleted records as lag so
// that every later invocation polls its whole budget for records that never
// come (failed before: lag 15, more true); records produced afterwards are read.
// With none, Kafka Connect's consumer throws and the task fails: the
// invocation fails with ErrInvocation (the task cannot run until its offsets
// or config change), not a retriable error retried forever. A commit past
// the end (a log truncated by an unclean leader election, offsets set by
// hand) is out of range too: earliest reads the log from its start (before:
// nothing read, and records up to the old commit would be skipped).
func TestSinkCommitOutOfRange(t *testing.T) {
	cases := []struct {
		name, reset string
		commit      int64
		deleteTo    int64   // 0: nothing deleted
		want        []int64 // what the first invocation writes
	}{
		{name: "earliest, all deleted", reset: "earliest", commit: 5, deleteTo: 20},
		{name: "earliest, some left", reset: "earliest", commit: 5, deleteTo: 15, want: ids(15, 20)},
		{name: "latest, all deleted", reset: "latest", commit: 5, deleteTo: 20},
		{name: "latest, some left", reset: "latest", commit: 5, deleteTo: 15},
		{name: "none fails the task", reset: "none", commit: 5, deleteTo: 20},
		{name: "earliest, commit past the end", reset: "earliest", commit: 100, want: ids(0, 20)},
		{name: "latest, commit past the end", reset: "latest", commit: 100},
		{name: "none, commit past the end", reset: "none", commit: 100},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			outOfRange(t, fmt.Sprintf("out-of-range-%d-%d", i, time.Now().UnixNano()%1e9), tc.reset, tc.commit, tc.deleteTo, tc.want)
		})
	}
}

// outOfRange runs one case of TestSinkCommitOutOfRange.
func outOfRange(t *testing.T, name, reset string, commit, deleteTo int64, want []int64) {
	ctx := context.Background()
	store := redisStore(t)
	adm := kadm.NewClient(kafkaClient(t))
	topic := name
	createTopic(t, adm, topic)
	produceIDs(t, topic, 0, 20)
	at := func(off int64) kadm.Offsets {
		var o kadm.Offsets
		o.Add(kadm.Offset{Topic: topic, Partition: 0, At: off, LeaderEpoch: -1})
		return o
	}
	if _, err := adm.CommitOffsets(ctx, functions.GroupID(name), at(commit)); err != nil {
		t.Fatal(err)
	}
	if deleteTo > 0 {
		if resp, err := adm.DeleteRecords(ctx, at(deleteTo)); err != nil || resp.Error() != nil {
			t.Fatalf("deleting records below %d: %v %v", deleteTo, err, resp.Error())
		}
	}

	sink := &collectingSink{}
	h, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(append(builtin.Plugins(), sinkPlugin(sink))...),
		Store: store, Seeds: seeds(t), InstanceID: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	handle := func() (functions.Result, error) {
		t.Helper()
		epoch, err := store.NextEpoch(ctx, name, 0)
		if err != nil {
			t.Fatal(err)
		}
		inv := sinkInvocation(name, topic, epoch, map[string]string{"consumer.override.auto.offset.reset": reset})
		inv.Deadline = time.Now().Add(4 * time.Second)
		return h.Handle(ctx, inv)
	}
	if reset == "none" {
		if _, err := handle(); !errors.Is(err, functions.ErrInvocation) {
			t.Fatalf("invocation from an offset out of range with auto.offset.reset=none: %v, want an ErrInvocation", err)
		}
		return
	}
	invoke := func() functions.Result {
		t.Helper()
		res, err := handle()
		if err != nil {
			t.Fatalf("invocation: %v (%+v)", err, res)
		}
		return res
	}

	if res := invoke(); res.Written != int64(len(want)) || res.Lag != 0 || res.More {
		t.Fatalf("first invocation: wrote %d, lag %d, more %v; want %d, 0, false", res.Written, res.Lag, res.More, len(want))
	}
	// The commit is transactional: read it stable, polling while the
	// coordinator completes the transaction (UNSTABLE_OFFSET_COMMIT).
	var c kadm.OffsetResponse
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		committed, err := adm.FetchOffsets(kadm.RequireStable(ctx), functions.GroupID(name))
		if err == nil {
			c, _ = committed.Lookup(topic, 0)
			if c.Err == nil || time.Now().After(deadline) {
				break
			}
		} else if time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
	if c.Err != nil || c.At != 20 {
		t.Errorf("group committed %d (%v), want 20", c.At, c.Err)
	}
	produceIDs(t, topic, 100, 3)
	if res := invoke(); res.Written != 3 || res.Lag != 0 {
		t.Fatalf("invocation after new records: wrote %d, lag %d; want 3, 0", res.Written, res.Lag)
	}
	if got, want := sink.snapshot(), append(want, ids(100, 103)...); !slices.Equal(got, want) {
		t.Errorf("sink got %v, want %v", got, want)
	}
}
