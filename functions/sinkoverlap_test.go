package functions_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/transforms"
	"github.com/ferryhq/ferry/transforms/sdk"
)

// countingTransform passes records on unchanged and counts them, so a test
// sees how far the runtime converted while a Put ran; reached is closed
// when the count gets to at.
type countingTransform struct {
	n       *atomic.Int64
	at      int64
	reached chan struct{}
}

func (c countingTransform) Apply(r *connectors.Record) (*connectors.Record, error) {
	if c.n.Add(1) == c.at {
		close(c.reached)
	}
	return r, nil
}

// overlappingSink is the stand-in sink with a connectors.PutSizer preference
// and, when overlap is set, the connectors.PutOverlapper ability. It records
// whether two of its calls ever ran at once.
type overlappingSink struct {
	*collectingSink
	size    int
	overlap bool
	busy    atomic.Bool
	clash   atomic.Bool
	flushed atomic.Bool
}

func (s *overlappingSink) PutSize() int      { return s.size }
func (s *overlappingSink) OverlapsPut() bool { return s.overlap }

func (s *overlappingSink) enter() {
	if !s.busy.CompareAndSwap(false, true) {
		s.clash.Store(true)
	}
}

func (s *overlappingSink) Put(ctx context.Context, recs []*connectors.Record) error {
	s.enter()
	defer s.busy.Store(false)
	if s.flushed.Load() {
		s.clash.Store(true)
	}
	return s.collectingSink.Put(ctx, recs)
}

func (s *overlappingSink) Flush(ctx context.Context) error {
	s.enter()
	defer s.busy.Store(false)
	s.flushed.Store(true)
	return s.collectingSink.Flush(ctx)
}

// TestSinkOverlappedPuts: for a task with connectors.PutOverlapper the
// runtime converts (here: transforms) the next batch while a Put runs, and
// still hands the batches one at a time, in order, with Flush after the
// last; a task without it sees nothing converted during its Put. Either way
// every record is written once, in order, and rejected records still go
// through errors.tolerance.
func TestSinkOverlappedPuts(t *testing.T) {
	const n, size = 30, 7
	for _, overlap := range []bool{true, false} {
		t.Run(map[bool]string{true: "overlapping", false: "in place"}[overlap], func(t *testing.T) {
			var converted atomic.Int64
			second := make(chan struct{}) // the second batch is converted
			reg := transforms.Builtin().With(sdk.Describe("test.Counting", struct{}{},
				func(map[string]string) (countingTransform, error) {
					return countingTransform{n: &converted, at: 2 * size, reached: second}, nil
				}))
			sink := &overlappingSink{collectingSink: &collectingSink{}, size: size, overlap: overlap}
			plugin := sinkPlugin(sink.collectingSink)
			plugin.NewSink = func() connectors.SinkTask { return sink }
			r := newRigWith(t, functions.Options{Plugins: connectors.NewRegistry(plugin), Transforms: reg})
			values := make([]string, n)
			for i := range values {
				values[i] = record(i, map[bool]string{true: "reject"}[i == 9])
			}
			r.produce("in", values...)
			var during int64 = -1
			sink.onPut = func() {
				if during >= 0 {
					return
				}
				if overlap {
					select {
					case <-second:
					case <-time.After(10 * time.Second): // a guard against a hang, not a timing assertion
						t.Error("the second batch was not converted while the first Put ran")
					}
				}
				during = converted.Load()
			}
			cfg := map[string]string{"name": "snk", "connector.class": "test.standin.CollectingSinkConnector", "topics": "in",
				"transforms": "count", "transforms.count.type": "test.Counting", "errors.tolerance": "all"}
			res, err := r.invokeMax(cfg, 1000)
			if err != nil || res.Written != n-1 || res.Failed != 1 {
				t.Fatalf("wrote %d, failed %d, %v; want %d and 1", res.Written, res.Failed, err, n-1)
			}
			if want := []int{7, 7, 7, 7, 2}; !slices.Equal(sink.sizes, want) {
				t.Errorf("puts of %v records, want %v", sink.sizes, want)
			}
			want := make([]int64, 0, n-1)
			for i := range int64(n) {
				if i != 9 {
					want = append(want, i)
				}
			}
			if !slices.Equal(sink.ids, want) {
				t.Errorf("wrote ids %v, want %v", sink.ids, want)
			}
			if sink.clash.Load() {
				t.Error("two of the task's calls ran at once, or a Put ran after Flush")
			}
			if wantDuring := map[bool]int64{true: 2 * size, false: size}[overlap]; during != wantDuring {
				t.Errorf("%d records converted when the first Put ran, want %d", during, wantDuring)
			}
		})
	}
}
