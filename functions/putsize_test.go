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
// runtime's default (all 30 records here in one Put). A Put gathers as
// many polls as its size needs, but no more than fetch.max.bytes of records
// (the records here are produced one per batch, and a fetch brings at least
// one batch: with max.partition.fetch.bytes=1 each poll brings one record).
func TestSinkPutSize(t *testing.T) {
	const n = 30
	cases := []struct {
		name string
		// size is the task's preference; -1: the task has no PutSize.
		size     int
		override string
		// fetch are more consumer.override.* keys.
		fetch map[string]string
		want  []int
	}{
		{name: "preference", size: 7, want: []int{7, 7, 7, 7, 2}},
		{name: "user override wins", size: 7, override: "12", want: []int{12, 12, 6}},
		{name: "user override above the preference", size: 4, override: "10", want: []int{10, 10, 10}},
		{name: "no PutSizer", size: -1, want: []int{n}},
		{name: "no PutSizer, user override", size: -1, override: "8", want: []int{8, 8, 8, 6}},
		{name: "preference 0 is the default", size: 0, want: []int{n}},
		{name: "fetch.max.bytes bounds a Put", size: 20, fetch: map[string]string{"fetch.max.bytes": "1"}, want: slices.Repeat([]int{1}, n)},
		{name: "a Put gathers polls up to its size", size: 20, fetch: map[string]string{"max.partition.fetch.bytes": "1"}, want: []int{20, 10}},
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
			for k, v := range tc.fetch {
				cfg["consumer.override."+k] = v
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
