package sinktest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Base is when order i happened: order i is i steps later.
var Base = time.Date(2026, 3, 1, 10, 10, 0, 0, time.UTC)

// OrderSchema is the Connect schema (JsonConverter form) of Order's values.
const OrderSchema = `{"type":"struct","name":"ferry.test.Order","optional":false,"fields":[` +
	`{"type":"int64","optional":false,"field":"id"},` +
	`{"type":"string","optional":false,"field":"name"},` +
	`{"type":"double","optional":false,"field":"amount"},` +
	`{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"},` +
	`{"type":"boolean","optional":false,"field":"active"},` +
	`{"type":"string","optional":true,"field":"note"}]}`

// Order is record i of the storage sinks' tests: a JsonConverter envelope
// whose name is pad characters longer than "customer-<i>-", timestamped
// Base + i*step.
func Order(i, pad int, step time.Duration) *kgo.Record {
	note := "null"
	if i%3 == 0 {
		note = fmt.Sprintf("%q", fmt.Sprintf("note %d", i))
	}
	name := fmt.Sprintf("customer-%d-", i) + strings.Repeat("x", pad)
	ts := Base.Add(time.Duration(i) * step)
	v := fmt.Sprintf(`{"schema":%s,"payload":{"id":%d,"name":%q,"amount":%s,"ts":%d,"active":%t,"note":%s}}`,
		OrderSchema, i, name, Amount(i), ts.UnixMilli(), i%2 == 0, note)
	return &kgo.Record{Value: []byte(v), Timestamp: ts}
}

// Amount is the amount field of order i, as JSON.
func Amount(i int) string { return fmt.Sprintf("%d.25", i%1000) }

// CheckOrder compares one row read back (JSON numbers as float64) with the
// Order of its id, failing t at where, and returns the id.
func CheckOrder(t *testing.T, where string, row map[string]any, pad int) int {
	t.Helper()
	id := int(row["id"].(float64))
	want := map[string]any{"id": float64(id), "name": fmt.Sprintf("customer-%d-", id) + strings.Repeat("x", pad),
		"active": id%2 == 0}
	for k, v := range want {
		if row[k] != v {
			t.Fatalf("%s: row %d field %s = %v, want %v", where, id, k, row[k], v)
		}
	}
	if row["amount"] != float64(id%1000)+0.25 {
		t.Fatalf("%s: row %d amount = %v, want %s", where, id, row["amount"], Amount(id))
	}
	if (id%3 == 0) != (row["note"] != nil) || (row["note"] != nil && row["note"] != fmt.Sprintf("note %d", id)) {
		t.Fatalf("%s: row %d note = %v", where, id, row["note"])
	}
	return id
}
