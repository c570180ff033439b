package metrics

import (
	"reflect"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
)

// TestStats checks the totals the web console reads: sorted by connector
// and task, lag summed over partitions, DLQ counts kept, none when off.
func TestStats(t *testing.T) {
	s := New(Options{})
	s.Observe(KindSink, wire.Result{Connector: "out", Task: 1, State: wire.StateRunning, Read: 5, Written: 4, Failed: 1,
		Errors:       wire.ErrorCounts{DLQRequests: 1, DLQFailures: 0, LastError: 42},
		PartitionLag: []wire.PartitionLag{{Topic: "t", Partition: 0, Lag: 7}, {Topic: "t", Partition: 1, Lag: 3}}}, nil, time.Millisecond)
	s.Observe(KindSource, wire.Result{Connector: "gen", Task: 0, State: wire.StateRunning, Read: 10, Written: 10}, nil, time.Millisecond)
	s.Observe(KindSource, wire.Result{Connector: "gen", Task: 0, State: wire.StateRunning, Read: 5, Written: 5}, nil, time.Millisecond)
	want := []TaskStats{
		{Connector: "gen", Task: 0, Kind: KindSource, Read: 15, Written: 15},
		{Connector: "out", Task: 1, Kind: KindSink, Read: 5, Written: 4, Errors: 1, DLQRequests: 1, Lag: 10, LastError: 42},
	}
	if got := s.Stats(); !reflect.DeepEqual(got, want) {
		t.Errorf("Stats() =\n%+v\nwant\n%+v", got, want)
	}
	var off *Set
	if got := off.Stats(); got != nil {
		t.Errorf("metrics off: Stats() = %+v, want nil", got)
	}
}
