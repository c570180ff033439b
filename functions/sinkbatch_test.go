package functions_test

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestSinkBatchDefault: without max.poll.records a sink is handed at most
// 2,000 records per Put (ferry's default, which bounds the converted
// records in hand), and gets every record; max.poll.records still sets it.
func TestSinkBatchDefault(t *testing.T) {
	const n = 2500
	tests := []struct {
		name    string
		pollMax string
		largest int
		minPuts int
	}{
		{name: "default", largest: 2000, minPuts: 2},
		{name: "max.poll.records=3000", pollMax: "3000", largest: 3000, minPuts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &collectingSink{}
			r := newRig(t, sinkPlugin(sink))
			recs := make([]*kgo.Record, n)
			for i := range recs {
				recs[i] = &kgo.Record{Topic: "in", Value: []byte(record(i, ""))}
			}
			if err := r.kafka.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
				t.Fatal(err)
			}
			cfg := map[string]string{"name": "snk", "connector.class": "test.standin.CollectingSinkConnector", "topics": "in"}
			if tt.pollMax != "" {
				cfg["consumer.override.max.poll.records"] = tt.pollMax
			}
			for len(sink.snapshot()) < n {
				if _, err := r.invokeMax(cfg, 100_000); err != nil {
					t.Fatal(err)
				}
			}
			if sink.largest > tt.largest || sink.puts < tt.minPuts {
				t.Errorf("%d puts, the largest of %d records; want at most %d records per put", sink.puts, sink.largest, tt.largest)
			}
		})
	}
}
