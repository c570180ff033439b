package metrics

import (
	"cmp"
	"slices"
	"strings"
)

// TaskStats is what the metrics hold about one task, for the web console:
// the same totals the kafka_connect_* series export.
type TaskStats struct {
	Connector string `json:"connector"`
	Task      int    `json:"task"`
	// Kind is KindSource or KindSink.
	Kind string `json:"kind"`
	// Read and Written are source-record-poll/write-total for a source
	// task, sink-record-read/send-total for a sink task.
	Read    int64 `json:"read"`
	Written int64 `json:"written"`
	// Errors is total-record-errors; DLQRequests and DLQFailures are
	// deadletterqueue-produce-requests and -failures.
	Errors      int64 `json:"errors"`
	DLQRequests int64 `json:"dlq_requests"`
	DLQFailures int64 `json:"dlq_failures"`
	// Lag is the sum of the sink task's topic-partition lags (records).
	Lag int64 `json:"lag"`
	// LastError is last-error-timestamp (Unix ms, 0 for none).
	LastError int64 `json:"last_error"`
}

// Stats returns every task's totals, ordered by connector and task. A nil
// Set (metrics off) has none.
func (s *Set) Stats() []TaskStats {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TaskStats, 0, len(s.tasks))
	for k, t := range s.tasks {
		st := TaskStats{Connector: k.connector, Task: k.task, Kind: t.kind, Read: t.read, Written: t.written,
			Errors: t.errors, DLQRequests: t.counts.DLQRequests, DLQFailures: t.counts.DLQFailures, LastError: t.lastError}
		for _, l := range t.lag {
			st.Lag += l.Lag
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b TaskStats) int {
		return cmp.Or(strings.Compare(a.Connector, b.Connector), a.Task-b.Task)
	})
	return out
}

// Leading reports whether this scheduler holds the dispatch lease, and so
// has task totals to show. A nil Set (metrics off) has none.
func (s *Set) Leading() bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leading
}
