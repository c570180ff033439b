package functions

import (
	"bytes"
	"context"
	"math"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// TestHeaderMemoKeepsConvertersBytes converts a run of source records whose
// headers repeat, change, change type, schema, key or topic, or are not
// scalars, through toKafka: every header's bytes must be what the header
// converter writes for it alone, and repeated scalars must come from the memo.
func TestHeaderMemoKeepsConvertersBytes(t *testing.T) {
	cfg := map[string]string{"name": "memo", "connector.class": "DatagenConnector", "kafka.topic": "t"}
	p := sourcePipeline(t, cfg, jsonWorkerConfig)
	p.ensured = "t"
	i64, str := connectors.Int64Schema, connectors.StringSchema
	h := func(k string, s *connectors.Schema, v any) connectors.Header {
		return connectors.Header{Key: k, Schema: s, Value: v}
	}
	rows := []struct {
		topic   string
		headers []connectors.Header
		hits    int // headers served from the memo
	}{
		{"t", []connectors.Header{h("a", i64, int64(1)), h("b", i64, int64(7))}, 0},
		{"t", []connectors.Header{h("a", i64, int64(1)), h("b", i64, int64(8))}, 1},
		{"t", []connectors.Header{h("a", i64, int64(1)), h("b", i64, int64(9))}, 1},
		{"u", []connectors.Header{h("a", i64, int64(1)), h("b", i64, int64(9))}, 0},    // another topic
		{"u", []connectors.Header{h("a", nil, int32(1)), h("c", i64, int64(9))}, 0},    // another type, another key
		{"u", []connectors.Header{h("a", nil, int32(1)), h("c", i64, int64(9))}, 2},    // the same again
		{"u", []connectors.Header{h("a", str, "x"), h("c", nil, map[string]any{})}, 0}, // a map is never remembered
		{"u", []connectors.Header{h("a", str, "x"), h("c", nil, map[string]any{})}, 1},
		{"u", []connectors.Header{h("a", nil, 0.0), h("c", nil, math.Copysign(0, -1))}, 0}, // doubles are never remembered
		{"u", []connectors.Header{h("a", nil, 0.0), h("c", nil, math.Copysign(0, -1))}, 0},
		{"u", []connectors.Header{h("a", nil, true), h("c", nil, nil)}, 0},
		{"u", []connectors.Header{h("a", nil, true), h("c", nil, nil)}, 1},
	}
	for n, row := range rows {
		hits := 0
		for i, hd := range row.headers {
			if _, ok := p.headerMemo.lookup(i, row.topic, hd); ok {
				hits++
			}
		}
		if hits != row.hits {
			t.Errorf("row %d: %d headers from the memo, want %d", n, hits, row.hits)
		}
		r := &connectors.Record{Topic: row.topic, Headers: row.headers, KeySchema: str, Key: "k", Value: map[string]any{}, Timestamp: connectors.NoTimestamp}
		p.ensured = row.topic
		kr, err := p.toKafka(context.Background(), r)
		if err != nil {
			t.Fatalf("row %d: %v", n, err)
		}
		for i, hd := range row.headers {
			want, err := p.convs.Header.FromConnectHeader(context.Background(), row.topic, hd.Key, hd.Schema, hd.Value)
			if err != nil || kr.Headers[i].Key != hd.Key || !bytes.Equal(kr.Headers[i].Value, want) {
				t.Errorf("row %d header %d: %s=%q, want %s=%q (%v)", n, i, kr.Headers[i].Key, kr.Headers[i].Value, hd.Key, want, err)
			}
		}
	}
}

// TestHeaderMemoRelearns: a position whose value keeps changing is
// rewritten only every relearnAfter misses, and a value that then stays is
// remembered again.
func TestHeaderMemoRelearns(t *testing.T) {
	var m headerMemo
	hd := connectors.Header{Key: "it", Schema: connectors.Int64Schema}
	stores := 0
	for it := range int64(3 * relearnAfter) {
		hd.Value = it
		if _, ok := m.lookup(0, "t", hd); ok {
			t.Fatalf("value %d served from the memo", it)
		}
		before := m.at[0].value
		m.store(0, "t", hd, []byte("x"))
		if m.at[0].value != before {
			stores++
		}
	}
	if stores > 3+1 {
		t.Errorf("%d rewrites of a changing position in %d records, want at most 4", stores, 3*relearnAfter)
	}
	hd.Value = int64(-5)
	for range relearnAfter + 1 {
		if _, ok := m.lookup(0, "t", hd); !ok {
			m.store(0, "t", hd, []byte("-5"))
		}
	}
	if b, ok := m.lookup(0, "t", hd); !ok || string(b) != "-5" {
		t.Errorf("a value that stays is not remembered again: %q %v", b, ok)
	}
}
