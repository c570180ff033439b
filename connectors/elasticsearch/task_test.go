package elasticsearch

import (
	"io"
	"log/slog"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// behavior.on.malformed.documents decides what a refused item becomes; a
// missing document on delete and a version conflict are not failures.
func TestFailures(t *testing.T) {
	rec := &connectors.Record{Topic: "t", Offset: 4}
	refused := &itemResult{Index: "t", ID: "k", Status: 400}
	refused.Error = &struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	}{"mapper_parsing_exception", "failed to parse field [n]"}
	chunk := []action{{op: "index", rec: rec}, {op: "delete", rec: rec}, {op: "index", rec: rec}, {op: "index", rec: rec}}
	results := []*itemResult{{Status: 201}, {Status: 404}, {Status: 409}, refused}
	cases := []struct {
		behavior string
		want     int
	}{{"FAIL", 1}, {"fail", 1}, {"WARN", 0}, {"IGNORE", 0}}
	for _, c := range cases {
		task := &Task{cfg: &Config{MalformedDocs: c.behavior}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		got := task.failures(chunk, results)
		if len(got) != c.want {
			t.Fatalf("%s: %d rejected, want %d", c.behavior, len(got), c.want)
		}
		if c.want == 1 && got[0].Err.Error() != "elasticsearch sink: document rejected: index t document k (topic t partition 0 offset 4): status 400: mapper_parsing_exception: failed to parse field [n]" {
			t.Fatalf("message: %v", got[0].Err)
		}
	}
}

// Tombstones follow behavior.on.null.values.
func TestNullValues(t *testing.T) {
	rec := &connectors.Record{Topic: "t", Key: "k"}
	for _, c := range []struct {
		behavior, op string
		fails        bool
	}{{"IGNORE", "", false}, {"DELETE", "delete", false}, {"FAIL", "", true}} {
		task := &Task{cfg: &Config{NullValues: c.behavior}}
		a, err := task.nullValue(rec, "t", "k")
		if a.op != c.op || (err != nil) != c.fails {
			t.Errorf("%s: op %q err %v", c.behavior, a.op, err)
		}
	}
}

// The bulk request body, byte for byte: metadata lines as encoding/json
// writes them (sorted keys, HTML-safe escapes, invalid UTF-8 replaced),
// source lines as given, none for a delete; only the pending actions.
func TestBulkBodyGolden(t *testing.T) {
	actions := []action{
		{op: "index", index: "orders", id: "42", source: []byte(`{"id":42,"name":"a"}`)},
		{op: "update", index: "orders", id: `k"\<>&` + "\u2028\u2029\x01\xff é😀", source: []byte(`{"doc":{"id":1},"doc_as_upsert":true}`)},
		{op: "delete", index: "orders", id: "gone"},
		{op: "create", index: "logs-ferry-orders", source: []byte(`{"@timestamp":1,"x":"y"}`)},
		{op: "index", index: "skipped", id: "not pending", source: []byte(`{}`)},
		{op: "index", index: "t+0", id: "t+0+17", source: []byte(`{"n":null}`)},
	}
	golden(t, "testdata/bulk.golden", bulkBody(actions, []int{0, 1, 2, 3, 5}))
}

// Only a response that says errors:false where both clusters write it is
// taken without decoding; its items are counted by their "status" keys.
func TestBulkSucceeded(t *testing.T) {
	item := `{"index":{"_index":"t","_id":"a\"status\":1","_version":1,"result":"created","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1,"status":201}}`
	for _, c := range []struct {
		raw   string
		items int
		ok    bool
	}{
		{`{"took":12,"errors":false,"items":[` + item + `,` + item + `]}`, 2, true},
		{`{"took":0,"errors":false,"items":[]}`, 0, true},
		{`{"took":12,"errors":true,"items":[` + item + `]}`, 0, false},
		{`{"errors":false,"took":12,"items":[` + item + `]}`, 0, false},
		{`{ "took":12,"errors":false,"items":[` + item + `]}`, 0, false},
		{`{"took":,"errors":false,"items":[]}`, 0, false},
		{`{"took":12,"errors":false}`, 0, false},
	} {
		if n, ok := bulkSucceeded([]byte(c.raw)); n != c.items || ok != c.ok {
			t.Errorf("%.60s: got %d, %v; want %d, %v", c.raw, n, ok, c.items, c.ok)
		}
	}
}
