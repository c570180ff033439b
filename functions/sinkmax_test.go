package functions_test

import (
	"slices"
	"strconv"
	"testing"
)

// TestSinkInvocationReadsAtMostMaxRecords: an invocation reads at most its
// MaxRecords (the wire contract's bound) even when max.poll.records does not
// divide it: a poll asks only for what is left. Before, the last poll of an
// invocation took a whole max.poll.records and an invocation of 10 read 14.
func TestSinkInvocationReadsAtMostMaxRecords(t *testing.T) {
	cases := []struct {
		name          string
		max, pollMax  int
		wantPerInvoke []int64
	}{
		{name: "poll larger than the bound", max: 10, pollMax: 7, wantPerInvoke: []int64{10, 10, 10}},
		{name: "poll dividing the bound", max: 10, pollMax: 5, wantPerInvoke: []int64{10, 10, 10}},
		{name: "bound larger than what is left", max: 12, pollMax: 7, wantPerInvoke: []int64{12, 12, 6}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			const n = 30
			sink := &collectingSink{}
			r := newRig(t, sinkPlugin(sink))
			values := make([]string, n)
			for i := range values {
				values[i] = record(i, "")
			}
			r.produce("in", values...)
			cfg := map[string]string{"name": "snk", "connector.class": "test.standin.CollectingSinkConnector", "topics": "in",
				"consumer.override.max.poll.records": strconv.Itoa(tc.pollMax)}
			var got []int64
			for range tc.wantPerInvoke {
				res, err := r.invokeMax(cfg, tc.max)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, res.Read)
			}
			if !slices.Equal(got, tc.wantPerInvoke) {
				t.Errorf("records read per invocation %v, want %v", got, tc.wantPerInvoke)
			}
			if got := sink.snapshot(); !slices.Equal(got, ids(0, n)) {
				t.Errorf("sink got %v, want 0..29 once each", got)
			}
		})
	}
}
