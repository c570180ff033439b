package functions_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// keepingSink is a stand-in sink that notes, for each Put, where its first
// record is in memory and the values as printed then, and keeps every
// record it was given (as a sink buffering records until Flush may).
type keepingSink struct {
	mu      sync.Mutex
	firsts  []*connectors.Record
	printed []string
	kept    []*connectors.Record
}

func (s *keepingSink) Open(context.Context, map[string]string) error { return nil }
func (s *keepingSink) Flush(context.Context) error                   { return nil }

func (s *keepingSink) Put(_ context.Context, recs []*connectors.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.firsts = append(s.firsts, recs[0])
	for _, r := range recs {
		s.printed = append(s.printed, printValue(r))
	}
	s.kept = append(s.kept, recs...)
	return nil
}

// printValue prints a record's value as FileStreamSink would.
func printValue(r *connectors.Record) string {
	if t, ok := r.Value.(*connectors.JavaText); ok {
		return string(*t)
	}
	return string(connectors.AppendJava(nil, r.Value))
}

// printingSink is keepingSink marked a connectors.ValuePrinter: the runtime
// prints its values and may hand a batch's memory out again after its Put,
// so it must not look at kept records later.
type printingSink struct{ keepingSink }

func (s *printingSink) PrintsValues() {}

// TestSinkMemoryReusedOnlyForPrinters: a sink invocation hands the memory
// of a batch's records out again for the next batch only when the task
// keeps nothing of a record past its Put (a connectors.ValuePrinter whose
// values the runtime prints); a task that may keep its records, or one
// behind a transformation, gets new records for every batch and finds the
// records it kept unchanged. Every value arrives as it was produced, with
// values of different lengths so that a block handed out twice too early
// would show.
func TestSinkMemoryReusedOnlyForPrinters(t *testing.T) {
	const n = 23
	cases := []struct {
		name      string
		printer   bool
		extra     map[string]string
		wantReuse bool
	}{
		{name: "a value printer", printer: true, wantReuse: true},
		{name: "a sink that may keep its records"},
		{name: "a value printer behind a transformation", printer: true, extra: map[string]string{
			"transforms": "keep", "transforms.keep.type": "org.apache.kafka.connect.transforms.Filter", "transforms.keep.predicate": "never",
			"predicates": "never", "predicates.never.type": "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
			"predicates.never.pattern": "nothing"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := &printingSink{}
			task := func() connectors.SinkTask { return &ps.keepingSink }
			if tc.printer {
				task = func() connectors.SinkTask { return ps }
			}
			r := newRig(t, connectors.Plugin{Class: "test.standin.CollectingSinkConnector", Type: connectors.TypeSink, Config: noConfig{},
				NewConnector: func() connectors.Connector { return oneTask{} }, NewSink: task})
			var want []string
			for i := range n {
				v := fmt.Sprintf(`{"id":%d,"pad":%q}`, i, strings.Repeat("x", (i*7)%19))
				r.produce("in", v)
				want = append(want, fmt.Sprintf("{id=%d, pad=%s}", i, strings.Repeat("x", (i*7)%19)))
			}
			cfg := map[string]string{"name": "snk", "connector.class": "test.standin.CollectingSinkConnector", "topics": "in",
				"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
				"consumer.override.max.poll.records": "4"}
			for k, v := range tc.extra {
				cfg[k] = v
			}
			for read := 0; read < n; {
				res, err := r.invokeMax(cfg, 10)
				if err != nil || res.Written == 0 {
					t.Fatalf("after %d records: wrote %d, %v", read, res.Written, err)
				}
				read += int(res.Written)
			}
			s := &ps.keepingSink
			if !slices.Equal(s.printed, want) {
				t.Errorf("printed at Put:\n%q\nwant\n%q", s.printed, want)
			}
			// Within an invocation (10 records, Puts of 4, 4 and 2) the
			// second and third Put get the first one's records again or new ones.
			reused := s.firsts[1] == s.firsts[0] && s.firsts[2] == s.firsts[0]
			if reused != tc.wantReuse {
				t.Errorf("a batch's records reused for the next batch: %v, want %v", reused, tc.wantReuse)
			}
			if !tc.wantReuse {
				var later []string
				for _, r := range s.kept {
					later = append(later, printValue(r))
				}
				if !slices.Equal(later, want) {
					t.Errorf("kept records changed after their Put:\n%q\nwant\n%q", later, want)
				}
			}
			if got := r.groupOffset("snk", "in"); got != n {
				t.Errorf("group offset %d, want %d", got, n)
			}
		})
	}
}
