package debezium

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// The DBLog window: events are a chunk's watermarks and the keys changes
// touch, in stream order; the rows left at the high watermark are emitted.
func TestWindow(t *testing.T) {
	keys := []string{"1", "2", "3", "4"}
	for _, tc := range []struct {
		name   string
		events []string // "open:<id>", "close:<id>", "change:<key>"
		want   []string // rows emitted at the close; nil: not closed
	}{
		{"no change in the window", []string{"open:c1-open", "close:c1-close"}, []string{"1", "2", "3", "4"}},
		{"changes drop their keys", []string{"open:c1-open", "change:2", "change:4", "close:c1-close"}, []string{"1", "3"}},
		{"changes before the low watermark are older than the chunk", []string{"change:1", "open:c1-open", "close:c1-close"}, []string{"1", "2", "3", "4"}},
		{"a key the chunk did not read", []string{"open:c1-open", "change:9", "close:c1-close"}, []string{"1", "2", "3", "4"}},
		{"another chunk's watermarks are ignored", []string{"open:c0-open", "change:1", "close:c0-close"}, nil},
		{"stale close then ours", []string{"open:c1-open", "close:c0-close", "change:3", "close:c1-close"}, []string{"1", "2", "4"}},
		{"close without open", []string{"close:c1-close"}, nil},
		{"every key changed", []string{"open:c1-open", "change:1", "change:2", "change:3", "change:4", "close:c1-close"}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w Window[string]
			w.Start("c1", keys, keys)
			var got []string
			closed := false
			for _, ev := range tc.events {
				kind, arg, _ := strings.Cut(ev, ":")
				switch kind {
				case "open":
					w.Open(arg)
				case "change":
					w.Changed(arg)
				case "close":
					if rows, ok := w.Close(arg); ok {
						got, closed = rows, true
					}
				}
			}
			if tc.want == nil {
				if closed || !w.Pending() {
					t.Fatalf("closed with %v, want the chunk still pending", got)
				}
				return
			}
			if !closed || w.Pending() || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("closed %v with %v, want %v", closed, got, tc.want)
			}
		})
	}
}

func TestParseSnapshotRequest(t *testing.T) {
	for _, tc := range []struct {
		data    string
		want    []string
		wantErr string
	}{
		{`{"data-collections": ["public.t"], "type": "incremental"}`, []string{"public.t"}, ""},
		{`{"data-collections": ["public.a", "s.b"]}`, []string{"public.a", "s.b"}, ""},
		{`{"data-collections": ["public.t"], "type": "BLOCKING"}`, []string{"public.t"}, ""},
		{`{"data-collections": ["public.t"], "type": "full"}`, nil, `"full" is not supported`},
		{`{"data-collections": ["public.t"], "additional-conditions": [{"data-collection": "(", "filter": "a = 1"}]}`, nil, "not a regular expression"},
		{`not json`, nil, "is not JSON"},
	} {
		r, err := ParseSnapshotRequest(tc.data)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.data, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(r.Collections, tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.data, r.Collections, err, tc.want)
		}
	}
}

func TestCollectionsRoundTrip(t *testing.T) {
	enc := EncodeCollections([]string{"public.a", "public.b"}, nil)
	// As Debezium 3.6.1 wrote it in the reference Kafka Connect's offsets.
	want := `[{"incremental_snapshot_collections_id":"public.a","incremental_snapshot_collections_additional_condition":null,"incremental_snapshot_collections_surrogate_key":null},` +
		`{"incremental_snapshot_collections_id":"public.b","incremental_snapshot_collections_additional_condition":null,"incremental_snapshot_collections_surrogate_key":null}]`
	if enc != want {
		t.Fatalf("encoded %s\nwant %s", enc, want)
	}
	got, conds, err := DecodeCollections(enc)
	if err != nil || !reflect.DeepEqual(got, []string{"public.a", "public.b"}) || conds != nil {
		t.Fatalf("decoded %v %v %v", got, conds, err)
	}
	if _, _, err := DecodeCollections("nope"); err == nil {
		t.Fatal("a bad offset decoded")
	}
	// With an additional condition, in Debezium's field.
	enc = EncodeCollections([]string{"public.a", "public.b"}, map[string]string{"public.b": "color = 'red'"})
	if !strings.Contains(enc, `"incremental_snapshot_collections_id":"public.b","incremental_snapshot_collections_additional_condition":"color = 'red'"`) {
		t.Fatalf("encoded %s", enc)
	}
	if _, conds, _ = DecodeCollections(enc); !reflect.DeepEqual(conds, map[string]string{"public.b": "color = 'red'"}) {
		t.Fatalf("conditions %v", conds)
	}
}

func TestWatermarks(t *testing.T) {
	at := time.Date(2026, 12, 5, 17, 0, 0, 123000000, time.UTC)
	open, closeW := WindowOpen("c1", at), WindowClose("c1", at, at.Add(time.Second))
	if open != (Watermark{"c1-open", SignalWindowOpen, `{"openWindowTimestamp": "2026-12-05T17:00:00.123Z"}`}) {
		t.Errorf("open %+v", open)
	}
	if closeW != (Watermark{"c1-close", SignalWindowClose, `{"openWindowTimestamp": "2026-12-05T17:00:00.123Z", "closeWindowTimestamp": "2026-12-05T17:00:01.123Z"}`}) {
		t.Errorf("close %+v", closeW)
	}
	if id := NewChunkID(); len(id) != 36 || id == NewChunkID() {
		t.Errorf("chunk id %q", id)
	}
}
