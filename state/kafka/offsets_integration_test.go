//go:build integration

package kafka

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Offsets written in a committed transaction are read back; those of an
// aborted transaction are not (read_committed); a tombstone resets.
func TestReadCommittedOnly(t *testing.T) {
	seeds := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if seeds == "" {
		t.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka)\"`")
	}
	ctx := context.Background()
	topic := fmt.Sprintf("offsets-it-%d", time.Now().UnixNano()%1e9)
	o := New(strings.Split(seeds, ","), topic)
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(seeds, ",")...), kgo.TransactionalID(topic+"-tx"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := o.Ensure(ctx, kadm.NewClient(cl)); err != nil {
		t.Fatal(err)
	}
	p1, p2 := map[string]any{"p": "one"}, map[string]any{"p": "two"}
	txn := func(commit kgo.TransactionEndTry, entries ...state.OffsetEntry) {
		recs, err := o.Records("conn", entries)
		if err != nil {
			t.Fatal(err)
		}
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			t.Fatal(err)
		}
		if err := cl.EndTransaction(ctx, commit); err != nil {
			t.Fatal(err)
		}
	}
	txn(kgo.TryCommit, state.OffsetEntry{Partition: p1, Offset: map[string]any{"n": int64(1)}}, state.OffsetEntry{Partition: p2, Offset: map[string]any{"n": int64(5)}})
	txn(kgo.TryAbort, state.OffsetEntry{Partition: p1, Offset: map[string]any{"n": int64(999)}})
	txn(kgo.TryCommit, state.OffsetEntry{Partition: p2, Offset: nil})
	got, err := o.Read(ctx, "conn")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Partition["p"] != "one" || got[0].Offset["n"] != int64(1) {
		t.Fatalf("read %v, want only p=one at n=1", got)
	}
}
