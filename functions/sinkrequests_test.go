package functions_test

import (
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// requestLog counts the Kafka requests a handler's clients write, by name
// (kgo.HookBrokerWrite), fetches and the requests that open a connection
// (ApiVersions, GetTelemetrySubscriptions) left out.
type requestLog struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *requestLog) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, _ error) {
	switch kmsg.Key(key) {
	case kmsg.Fetch, kmsg.ApiVersions, kmsg.GetTelemetrySubscriptions:
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n[kmsg.NameForKey(key)]++
}

// take returns the counts since the last take and starts again.
func (l *requestLog) take() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.n
	l.n = map[string]int{}
	return out
}

// TestSinkInvocationRequests: what a sink invocation asks Kafka for once it
// is warm (its consumer kept on the worker, FindCoordinator and ApiVersions
// answered before): the topics' metadata and end offsets, the takeover
// (InitProducerID) and the committed offsets when there is work, the
// transaction of the commit, and nothing else (each request costs the
// worker CPU: writing it, waking the goroutines that read the answer). The
// committed offsets are read with one OffsetFetch, not followed by a
// metadata request of their topics. An invocation that sees nothing to do
// reads the committed offsets and stops. A sink of two topics, one not
// created yet, reads the other.
func TestSinkInvocationRequests(t *testing.T) {
	cases := []struct {
		name   string
		topics string
		// produce is what is produced before the measured invocation, which
		// follows one that read everything produced before it.
		produce int
		want    map[string]int
	}{
		{name: "records to read", topics: "in", produce: 5, want: map[string]int{"Metadata": 1, "ListOffsets": 1,
			"InitProducerID": 1, "OffsetFetch": 1, "AddOffsetsToTxn": 1, "TxnOffsetCommit": 1, "EndTxn": 1}},
		{name: "nothing to read", topics: "in", want: map[string]int{"Metadata": 1, "ListOffsets": 1, "OffsetFetch": 1}},
		{name: "a topic not created yet", topics: "in,later", produce: 5, want: map[string]int{"Metadata": 1, "ListOffsets": 1,
			"InitProducerID": 1, "OffsetFetch": 1, "AddOffsetsToTxn": 1, "TxnOffsetCommit": 1, "EndTxn": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := &collectingSink{}
			r := newRig(t, sinkPlugin(sink))
			reqs := &requestLog{n: map[string]int{}}
			h, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(sinkPlugin(sink)), Store: r.store, Seeds: r.seeds,
				InstanceID: "unit-reqs", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), KafkaOpts: []kgo.Opt{kgo.WithHooks(reqs)}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(h.Close)
			r.h = h
			cfg := map[string]string{"name": "snk", "connector.class": "test.standin.CollectingSinkConnector", "topics": tc.topics}
			for i := range 10 {
				r.produce("in", record(i, ""))
			}
			if res, err := r.invokeMax(cfg, 100); err != nil || res.Written != 10 {
				t.Fatalf("first invocation: wrote %d, %v", res.Written, err)
			}
			for i := range tc.produce {
				r.produce("in", record(10+i, ""))
			}
			reqs.take()
			res, err := r.invokeMax(cfg, 100)
			if err != nil || res.Written != int64(tc.produce) {
				t.Fatalf("measured invocation: wrote %d, %v", res.Written, err)
			}
			if got := reqs.take(); !maps.Equal(got, tc.want) {
				t.Errorf("requests %v\nwant     %v", sorted(got), sorted(tc.want))
			}
			if got := r.groupOffset("snk", "in"); got != int64(10+tc.produce) {
				t.Errorf("group offset %d, want %d", got, 10+tc.produce)
			}
		})
	}
}

// sorted lists m's entries in key order, for messages.
func sorted(m map[string]int) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+strconv.Itoa(m[k]))
	}
	return out
}
