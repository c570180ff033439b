package functions_test

import (
	"slices"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// sizedSink is the stand-in sink with a connectors.PutSizer preference.
type sizedSink struct {
	*collectingSink
	size int
}

func (s sizedSink) PutSize() int { return s.size }

// TestSinkPutSize: a sink task's connectors.PutSizer preference sets how
// many records each Put gets when max.poll.records is not set; the
// connector's consumer.override.max.poll.records wins over it; a task
// without the interface, or whose preference is not positive, gets the
// runtime's default (all 30 records here in one Put).
func TestSinkPutSize(t *testing.T) {
	const n = 30
	cases := []struct {
		name string
		// size is the task's preference; -1: the task has no PutSize.
		size     int
		override string
		want     []int
	}{
		{name: "preference", size: 7, want: []int{7, 7, 7, 7, 2}},
		{name: "user override wins", size: 7, override: "12", want: []int{12, 12, 6}},
		{name: "user override above the preference", size: 4, override: "10", want: []int{10, 10, 10}},
		{name: "no PutSizer", size: -1, want: []int{n}},
		{name: "no PutSizer, user override", size: -1, override: "8", want: []int{8, 8, 8, 6}},
		{name: "preference 0 is the default", size: 0, want: []int{n}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := &collectingSink{}
			plugin := sinkPlugin(sink)
			if tc.size >= 0 {
				plugin.NewSink = func() connectors.SinkTask { return sizedSink{sink, tc.size} }
			}
			r := newRig(t, plugin)
			values := make([]string, n)
			for i := range values {
				values[i] = record(i, "")
			}
			r.produce("in", values...)
			cfg := map[string]string{"name": "snk", "connector.class": "test.standin.CollectingSinkConnector", "topics": "in"}
			if tc.override != "" {
				cfg["consumer.override.max.poll.records"] = tc.override
			}
			if res, err := r.invokeMax(cfg, 1000); err != nil || res.Written != n {
				t.Fatalf("wrote %d, %v", res.Written, err)
			}
			if !slices.Equal(sink.sizes, tc.want) {
				t.Errorf("puts of %v records, want %v", sink.sizes, tc.want)
			}
		})
	}
}
