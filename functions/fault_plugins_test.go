package functions_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ferryhq/ferry/connectors"
)

// The plugins below are test stand-ins, named as such: ferry ships no sink
// that rejects single records or fails retriably on demand, and no source
// that emits records its converters cannot serialize. They exist only to
// drive the error handling paths against the real Kafka broker.

// collectingSink is a stand-in sink: it keeps every record written, rejects
// records whose value struct has note="reject" (connectors.RejectedError),
// and fails retriably the first failPuts calls of Put.
type collectingSink struct {
	mu       sync.Mutex
	ids      []int64
	puts     int
	failPuts int
	// sizes are the record counts of the Puts, in order.
	sizes []int
	// onPut, when set, runs at each Put (a test's hook).
	onPut func()
}

func (s *collectingSink) Open(context.Context, map[string]string) error { return nil }
func (s *collectingSink) Flush(context.Context) error                   { return nil }

func (s *collectingSink) Put(_ context.Context, recs []*connectors.Record) error {
	if s.onPut != nil {
		s.onPut()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.puts++
	s.sizes = append(s.sizes, len(recs))
	if s.puts <= s.failPuts {
		return connectors.Retriable(fmt.Errorf("stand-in sink: backend unavailable (put %d)", s.puts))
	}
	var rej []connectors.RejectedRecord
	for _, r := range recs {
		st, ok := r.Value.(*connectors.Struct)
		if !ok {
			return fmt.Errorf("stand-in sink: value %T is not a struct", r.Value)
		}
		if note, _ := st.Get("note"); note == "reject" {
			rej = append(rej, connectors.RejectedRecord{Record: r, Err: errors.New("stand-in sink: the backend refused this record")})
			continue
		}
		id, _ := st.Get("id")
		s.ids = append(s.ids, id.(int64))
	}
	if len(rej) > 0 {
		return &connectors.RejectedError{Rejected: rej}
	}
	return nil
}

func (s *collectingSink) snapshot() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int64(nil), s.ids...)
}

type noConfig struct{}

type oneTask struct{}

func (oneTask) TaskConfigs(ctx context.Context, props map[string]string, _ int) ([]map[string]string, error) {
	return []map[string]string{props}, nil
}

func sinkPlugin(s *collectingSink) connectors.Plugin {
	return connectors.Plugin{Class: "test.standin.CollectingSinkConnector", Type: connectors.TypeSink, Config: noConfig{},
		NewConnector: func() connectors.Connector { return oneTask{} },
		NewSink:      func() connectors.SinkTask { return s }}
}

// badSource is a stand-in source: n records on one source partition; every
// record whose offset is in bad carries a value its schema does not allow
// (a string under an int64 schema), so the value converter fails.
type badSource struct {
	n, next int
	bad     map[int]bool
}

func (s *badSource) Open(_ context.Context, _ map[string]string, offs connectors.OffsetReader) error {
	if o := offs.Offset(map[string]any{"standin": "p0"}); o != nil {
		s.next = int(o["pos"].(int64)) + 1
	}
	return nil
}

func (s *badSource) Poll(context.Context) ([]*connectors.Record, error) {
	var out []*connectors.Record
	for ; s.next < s.n && len(out) < 7; s.next++ {
		var v any = int64(s.next)
		if s.bad[s.next] {
			v = fmt.Sprintf("not-a-number-%d", s.next)
		}
		out = append(out, &connectors.Record{Topic: "", ValueSchema: connectors.Int64Schema, Value: v,
			SourcePartition: map[string]any{"standin": "p0"}, SourceOffset: map[string]any{"pos": int64(s.next)},
			Timestamp: connectors.NoTimestamp})
	}
	return out, nil
}

func sourcePlugin(topic string, n int, bad map[int]bool) connectors.Plugin {
	return connectors.Plugin{Class: "test.standin.BadSourceConnector", Type: connectors.TypeSource, Config: noConfig{},
		NewConnector: func() connectors.Connector { return oneTask{} },
		NewSource: func() connectors.SourceTask {
			return &topicSource{badSource: badSource{n: n, bad: bad}, topic: topic}
		}}
}

type topicSource struct {
	badSource
	topic string
}

func (s *topicSource) Poll(ctx context.Context) ([]*connectors.Record, error) {
	recs, err := s.badSource.Poll(ctx)
	for _, r := range recs {
		r.Topic = s.topic
	}
	return recs, err
}
