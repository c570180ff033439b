package file

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/ferryhq/ferry/state"
)

// TestSnapshotStreamedAsEncoded: a state file written entry by entry has
// the bytes json.Encoder (no HTML escaping, two-space indent) wrote for the
// whole map: empty maps, several entries out of order, nested maps and
// lists, HTML characters and raw offset JSON.
func TestSnapshotStreamedAsEncoded(t *testing.T) {
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	st := func(id int) state.TaskStatus {
		return state.TaskStatus{Connector: "b<&>", Task: id, State: state.StateFailed, WorkerID: "w", Trace: "x\n\ty <b>", Updated: at}
	}
	connectors := map[string]state.ConnectorRecord{
		"b<&>": {Name: "b<&>", Config: map[string]string{"k": "<v & w>", "a": ""}, Target: state.TargetRunning,
			Tasks: []map[string]string{{"k": "1"}, {}}, Generation: 2},
		"a": {Name: "a", Config: map[string]string{}},
		"c": {Name: "c"},
	}
	tests := []struct {
		name string
		v    any
	}{
		{"connectors", &connectors},
		{"no connectors", &map[string]state.ConnectorRecord{}},
		{"statuses", &map[string]taskStatuses{"b<&>": {st(0), st(2), st(10)}, "a": {st(1)}}},
		{"epochs", &map[string]map[int]int64{"z": {0: 3, 10: 1, 2: 7}, "a": {}}},
		{"no epochs", &map[string]map[int]int64{}},
		{"offsets", &map[string]json.RawMessage{`["c",{"file":"/a<b>"}]`: json.RawMessage(`{"position": 10, "x":[1, 2]}`), `["a",{}]`: json.RawMessage(`null`)}},
		{"signing keys", &state.SigningKeys{Current: state.SigningKey{Generation: 1, Secret: []byte("s"), Created: at}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(tt.v); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			n, err := encodeSnapshot(&got, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() || n != int64(got.Len()) {
				t.Fatalf("streamed (%d bytes counted):\n%s\nwant:\n%s", n, got.String(), want.String())
			}
		})
	}
}
