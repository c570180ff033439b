package nats

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	natsio "github.com/nats-io/nats.go"
)

func TestConfigCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		props  map[string]string
		source bool
		bad    string
	}{
		{"sink defaults", nil, false, ""},
		{"sink wildcard subject", map[string]string{"nats.subject": "orders.*"}, false, "nats.subject"},
		{"sink bad stream", map[string]string{"nats.stream": "a.b"}, false, "nats.stream"},
		{"source core", map[string]string{"topic": "t", "nats.subject": "orders.>"}, true, ""},
		{"source stream", map[string]string{"topic": "t", "nats.stream": "ORDERS"}, true, ""},
		{"source nothing", map[string]string{"topic": "t"}, true, "nats.subject"},
		{"source no topic", map[string]string{"nats.stream": "S"}, true, "topic"},
		{"source bad durable", map[string]string{"topic": "t", "nats.stream": "S", "nats.durable": "a b"}, true, "nats.durable"},
		{"source bad policy", map[string]string{"topic": "t", "nats.stream": "S", "nats.deliver.policy": "first"}, true, "nats.deliver.policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.source {
				_, err = parseSource(tc.props)
			} else {
				_, err = parseSink(tc.props)
			}
			var ce *connectors.ConfigError
			switch {
			case tc.bad == "" && err != nil:
				t.Fatal(err)
			case tc.bad != "" && (!errors.As(err, &ce) || ce.Key != tc.bad):
				t.Fatalf("got %v, want an error on %s", err, tc.bad)
			}
		})
	}
}

func TestSinkMessage(t *testing.T) {
	task := &SinkTask{cfg: SinkConfig{Subject: "kafka.${topic}"}}
	for _, tc := range []struct {
		name string
		r    *connectors.Record
		data string
		hdr  natsio.Header
		bad  bool
	}{
		{"string", &connectors.Record{Topic: "orders", Partition: 2, Offset: 17, Key: "k", Value: "v",
			Headers: []connectors.Header{{Key: "h", Value: "x"}, {Key: "n", Value: int32(3)}, {Key: "gone"}}},
			"v", natsio.Header{"Kafka-Key": {"k"}, "h": {"x"}, "n": {"3"}, "Nats-Msg-Id": {"orders-2-17"}}, false},
		{"bytes no key", &connectors.Record{Topic: "orders", Value: []byte("b")}, "b", natsio.Header{"Nats-Msg-Id": {"orders-0-0"}}, false},
		{"tombstone", &connectors.Record{Topic: "orders", Offset: 5, Key: []byte("k")}, "", natsio.Header{"Kafka-Key": {"k"}, "Nats-Msg-Id": {"orders-0-5"}}, false},
		{"map", &connectors.Record{Topic: "orders", Value: map[string]any{}}, "", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := task.message(tc.r)
			if tc.bad {
				if !errors.Is(err, ErrValue) {
					t.Fatalf("got %v, want ErrValue", err)
				}
				return
			}
			if err != nil || m.Subject != "kafka.orders" || string(m.Data) != tc.data {
				t.Fatalf("%v %+v", err, m)
			}
			for k, v := range tc.hdr {
				if got := m.Header.Values(k); len(got) != len(v) || got[0] != v[0] {
					t.Fatalf("header %s = %v, want %v (all %v)", k, got, v, m.Header)
				}
			}
			if len(m.Header) != len(tc.hdr) {
				t.Fatalf("headers %v, want %v", m.Header, tc.hdr)
			}
		})
	}
}

func TestSequence(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want int64
		ok   bool
	}{{int64(7), 7, true}, {7, 7, true}, {7.0, 7, true}, {json.Number("7"), 7, true}, {7.5, 0, false}, {"7", 0, false}, {int64(-1), 0, false}} {
		if got, ok := sequence(tc.v); ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("sequence(%#v) = %d, %v", tc.v, got, ok)
		}
	}
}

func TestSourceSplit(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  int
	}{
		{map[string]string{"topic": "t", "nats.stream": "S"}, 1},
		{map[string]string{"topic": "t", "nats.subject": "a"}, 1},
		{map[string]string{"topic": "t", "nats.subject": "a", "nats.queue.group": "q"}, 3},
	} {
		tcs, err := sourceConnector{}.TaskConfigs(context.Background(), tc.props, 3)
		if err != nil || len(tcs) != tc.want {
			t.Errorf("%v: %d tasks, %v; want %d", tc.props, len(tcs), err, tc.want)
		}
	}
}

func TestHeadersSortedWithoutNats(t *testing.T) {
	got := headers(natsio.Header{"B": {"2"}, "A": {"1", "1b"}, "Nats-Msg-Id": {"x"}})
	if len(got) != 3 || got[0].Key != "A" || got[1].Value != "1b" || got[2].Key != "B" {
		t.Fatalf("%v", got)
	}
}
