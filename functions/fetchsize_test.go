package functions_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kgo"
)

// fetchSizedSink is the stand-in sink with a connectors.FetchSizer preference.
type fetchSizedSink struct {
	*collectingSink
	bytes int
}

func (s fetchSizedSink) PartitionFetchBytes() int { return s.bytes }

// fetchSizes records the max.partition.fetch.bytes of each sink consumer a
// handler connects (kgo.HookNewClient; a sink consumer keeps control records).
type fetchSizes struct {
	mu    sync.Mutex
	sizes []int32
}

func (f *fetchSizes) OnNewClient(cl *kgo.Client) {
	if keep, _ := cl.OptValue(kgo.KeepControlRecords).(bool); keep {
		f.mu.Lock()
		defer f.mu.Unlock()
		v, _ := cl.OptValue(kgo.FetchMaxPartitionBytes).(int32)
		f.sizes = append(f.sizes, v)
	}
}

// TestSinkFetchSize: a sink task's connectors.FetchSizer preference sets the
// max.partition.fetch.bytes of the consumer it reads with (before, every
// sink read with the runtime's 256 KiB), capped at
// connectors.MaxPartitionFetchBytes; the connector's key wins over it; a
// task without the interface, or whose preference is not positive, gets the
// default. Consumers of different sizes are pooled apart: a task without a
// preference, invoked after one with, connects a consumer of its own.
func TestSinkFetchSize(t *testing.T) {
	const def = 256 << 10
	cases := []struct {
		name string
		// bytes is the task's preference; -1: the task has no PartitionFetchBytes.
		bytes    int
		override string
		want     int32
	}{
		{name: "preference", bytes: 4 << 20, want: 4 << 20},
		{name: "capped", bytes: 1 << 30, want: connectors.MaxPartitionFetchBytes},
		{name: "user override wins", bytes: 4 << 20, override: "1000", want: 1000},
		{name: "no FetchSizer", bytes: -1, want: def},
		{name: "preference 0 is the default", bytes: 0, want: def},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := &collectingSink{}
			plain, sized := sinkPlugin(sink), sinkPlugin(sink)
			plain.Class = "test.standin.PlainSinkConnector"
			if tc.bytes >= 0 {
				sized.NewSink = func() connectors.SinkTask { return fetchSizedSink{sink, tc.bytes} }
			}
			rec := &fetchSizes{}
			r := newRigWith(t, functions.Options{Plugins: connectors.NewRegistry(plain, sized), KafkaOpts: []kgo.Opt{kgo.WithHooks(rec)}})
			r.produce("in", record(0, ""), record(1, ""))
			cfg := map[string]string{"name": "sized", "connector.class": sized.Class, "topics": "in"}
			if tc.override != "" {
				cfg["consumer.override.max.partition.fetch.bytes"] = tc.override
			}
			if res, err := r.invokeMax(cfg, 1000); err != nil || res.Written != 2 {
				t.Fatalf("wrote %d, %v", res.Written, err)
			}
			epoch, err := r.store.NextEpoch(context.Background(), "plain", 0)
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.h.Handle(context.Background(), functions.Invocation{ID: "plain", Connector: "plain", Epoch: epoch, Class: plain.Class,
				Config: map[string]string{"name": "plain", "connector.class": plain.Class, "topics": "in"}, MaxRecords: 1000, Deadline: time.Now().Add(5 * time.Second)})
			if err != nil || res.Written != 2 {
				t.Fatalf("plain sink wrote %d, %v", res.Written, err)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.sizes) == 0 || rec.sizes[0] != tc.want {
				t.Fatalf("sink consumers connected with max.partition.fetch.bytes %v, want %d first", rec.sizes, tc.want)
			}
			if last := rec.sizes[len(rec.sizes)-1]; tc.override == "" && last != def {
				t.Fatalf("the plain sink read with max.partition.fetch.bytes %d (consumers %v), want %d", last, rec.sizes, def)
			}
		})
	}
}
