//go:build integration

package redis

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/statetest"
)

// runID makes every key of this test run unique, so runs in parallel (or
// against a shared Redis) never see each other's data.
var runID = fmt.Sprintf("ferrytest-%d-%d", os.Getpid(), time.Now().UnixNano())

var storeSeq atomic.Int64

// client returns a client for REDIS_URL, failing the test if it is unset.
func client(tb testing.TB) *redis.Client {
	tb.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		tb.Fatal("REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0); start localstack/up")
	}
	o, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("REDIS_URL: %v", err)
	}
	c := redis.NewClient(o)
	tb.Cleanup(func() { c.Close() })
	return c
}

// prefix returns a fresh key prefix whose keys are deleted when tb ends.
func prefix(tb testing.TB, c *redis.Client) string {
	p := fmt.Sprintf("%s-%d:", runID, storeSeq.Add(1))
	tb.Cleanup(func() { deleteKeys(tb, c, p) })
	return p
}

func deleteKeys(tb testing.TB, c *redis.Client, prefix string) {
	ctx := context.Background()
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		if err := c.Del(ctx, iter.Val()).Err(); err != nil {
			tb.Errorf("clean up %s: %v", iter.Val(), err)
		}
	}
	if err := iter.Err(); err != nil {
		tb.Errorf("clean up %s*: %v", prefix, err)
	}
}

func TestConformance(t *testing.T) {
	c := client(t)
	statetest.Run(t, func(t *testing.T) state.Store {
		return New(c, Options{Prefix: prefix(t, c)})
	})
}

// TestOpenURL opens by URL and leaves no keys behind.
func TestOpenURL(t *testing.T) {
	c := client(t)
	p := prefix(t, c)
	ctx := context.Background()
	s, err := Open(ctx, os.Getenv("REDIS_URL"), Options{Prefix: p})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.NextEpoch(ctx, "a", 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Exists(ctx, p+"epoch:a").Result(); err != nil || n != 1 {
		t.Fatalf("epoch key %sepoch:a exists = %d, %v", p, n, err)
	}
}

// TestEpochsAcrossProcesses: stores with their own connections (as separate
// processes would have) share one epoch sequence and one fence.
func TestEpochsAcrossProcesses(t *testing.T) {
	c := client(t)
	p := prefix(t, c)
	ctx := context.Background()
	const procs, each = 4, 50
	seen := sync.Map{}
	var wg sync.WaitGroup
	for i := 0; i < procs; i++ {
		s, err := Open(ctx, os.Getenv("REDIS_URL"), Options{Prefix: p})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		wg.Go(func() {
			for j := 0; j < each; j++ {
				e, err := s.NextEpoch(ctx, "x", 0)
				if err != nil {
					t.Error(err)
					return
				}
				if _, dup := seen.LoadOrStore(e, true); dup {
					t.Errorf("epoch %d handed out twice", e)
				}
			}
		})
	}
	wg.Wait()
	if err := New(c, Options{Prefix: p}).CheckEpoch(ctx, "x", 0, procs*each); err != nil {
		t.Fatal(err)
	}
}

// TestStoredLayout pins the documented key layout and value bytes.
func TestStoredLayout(t *testing.T) {
	c := client(t)
	p := prefix(t, c)
	ctx := context.Background()
	s := New(c, Options{Prefix: p})
	e, err := s.NextEpoch(ctx, "my-conn", 0)
	if err != nil {
		t.Fatal(err)
	}
	err = s.CommitOffsets(ctx, "my-conn", 0, e, []state.OffsetEntry{
		{Partition: map[string]any{"filename": "/tmp/a.txt"}, Offset: map[string]any{"position": int64(42)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.HGetAll(ctx, p+"offsets:my-conn").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[`["my-conn",{"filename":"/tmp/a.txt"}]`] != `{"position":42}` {
		t.Fatalf("offsets hash = %q", got)
	}
	if v, _ := c.HGet(ctx, p+"epoch:my-conn", "0").Result(); v != "1" {
		t.Fatalf("epoch field = %q, want 1", v)
	}
}

func BenchmarkCommitOffsets(b *testing.B) {
	c := client(b)
	statetest.BenchCommitOffsets(b, New(c, Options{Prefix: prefix(b, c)}))
}

func BenchmarkNextEpoch(b *testing.B) {
	c := client(b)
	statetest.BenchNextEpoch(b, New(c, Options{Prefix: prefix(b, c)}))
}
