//go:build integration

package kafka

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/statetest"
)

var (
	runID    = fmt.Sprintf("ferrytest-%d-%d", os.Getpid(), time.Now().UnixNano()%1e9)
	storeSeq atomic.Int64
)

// seeds are the broker's bootstrap servers; the test fails without them.
func seeds(tb testing.TB) []string {
	tb.Helper()
	s := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if s == "" {
		tb.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka)\"`")
	}
	return strings.Split(s, ",")
}

// testOptions name fresh topics (and a fresh group) for one store.
func testOptions(tb testing.TB) Options {
	p := fmt.Sprintf("%s-%d", runID, storeSeq.Add(1))
	return Options{Seeds: seeds(tb), GroupID: p,
		Topics: Topics{Config: p + "-configs", Offsets: p + "-offsets", Status: p + "-status",
			ConfigRF: 1, OffsetsRF: 1, StatusRF: 1, OffsetsPartitions: 3, StatusParts: 2}}
}

func open(tb testing.TB, o Options) *Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := Open(ctx, o)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Store { return open(t, testOptions(t)) })
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func BenchmarkCommitOffsets(b *testing.B) {
	s := open(b, testOptions(b))
	defer s.Close()
	statetest.BenchCommitOffsets(b, s)
}

func BenchmarkNextEpoch(b *testing.B) {
	s := open(b, testOptions(b))
	defer s.Close()
	statetest.BenchNextEpoch(b, s)
}
