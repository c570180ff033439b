package statetest

import (
	"sync"
	"testing"
)

func testEpochs(t *testing.T, open Opener) {
	type call struct {
		conn string
		task int
		want int64
	}
	tests := []struct {
		name  string
		calls []call
	}{
		{"starts at 1 and increases", []call{{"a", 0, 1}, {"a", 0, 2}, {"a", 0, 3}}},
		{"per task", []call{{"a", 0, 1}, {"a", 1, 1}, {"a", 0, 2}, {"a", 1, 2}, {"a", 7, 1}}},
		{"per connector", []call{{"a", 0, 1}, {"b", 0, 1}, {"a", 0, 2}, {"b", 0, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fresh(t, open)
			for i, c := range tt.calls {
				got, err := s.NextEpoch(ctx(t), c.conn, c.task)
				must(t, err)
				if got != c.want {
					t.Fatalf("call %d NextEpoch(%s, %d) = %d, want %d", i, c.conn, c.task, got, c.want)
				}
				must(t, s.CheckEpoch(ctx(t), c.conn, c.task, got))
			}
		})
	}
}

// testConcurrentEpochs proves NextEpoch hands out every value exactly once
// under concurrent callers.
func testConcurrentEpochs(t *testing.T, open Opener) {
	s := fresh(t, open)
	const goroutines, each = 8, 25
	c := ctx(t)
	var (
		mu   sync.Mutex
		seen = map[int64]bool{}
		wg   sync.WaitGroup
	)
	errs := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Go(func() {
			for i := 0; i < each; i++ {
				e, err := s.NextEpoch(c, "conc", 3)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if seen[e] {
					mu.Unlock()
					t.Errorf("epoch %d handed out twice", e)
					return
				}
				seen[e] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for e := int64(1); e <= goroutines*each; e++ {
		if !seen[e] {
			t.Fatalf("epoch %d never handed out; got %d values", e, len(seen))
		}
	}
	must(t, s.CheckEpoch(c, "conc", 3, goroutines*each))
}
