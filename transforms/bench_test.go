package transforms_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms"
	"github.com/ferryhq/ferry/transforms/recordline"
)

// benchConfig is the 5-transform chain of the benchmark, the one the Java
// oracle times too.
func benchConfig() map[string]string {
	const smt = "org.apache.kafka.connect.transforms."
	return map[string]string{
		"transforms":                     "insert,replace,mask,cast,key",
		"transforms.insert.type":         smt + "InsertField$Value",
		"transforms.insert.topic.field":  "kafka_topic",
		"transforms.insert.offset.field": "kafka_offset",
		"transforms.replace.type":        smt + "ReplaceField$Value",
		"transforms.replace.exclude":     "internal_notes",
		"transforms.replace.renames":     "customer_name:name,customer_email:email",
		"transforms.mask.type":           smt + "MaskField$Value",
		"transforms.mask.fields":         "email,phone,card_number",
		"transforms.cast.type":           smt + "Cast$Value",
		"transforms.cast.spec":           "quantity:int64,unit_price:string",
		"transforms.key.type":            smt + "ValueToKey",
		"transforms.key.fields":          "order_id",
	}
}

// benchRecords returns n record lines whose values are about 1 KiB Structs.
func benchRecords(n int) [][]byte {
	str := func(name string, optional bool) map[string]any {
		return map[string]any{"field": name, "type": "string", "optional": optional}
	}
	fields := []any{
		map[string]any{"field": "order_id", "type": "int64", "optional": false},
		str("customer_name", false), str("customer_email", false), str("phone", true), str("card_number", true),
		map[string]any{"field": "quantity", "type": "int32", "optional": false},
		map[string]any{"field": "unit_price", "type": "double", "optional": false},
		map[string]any{"field": "created", "type": "int64", "optional": false, "name": "org.apache.kafka.connect.data.Timestamp", "version": 1},
		str("street", false), str("city", false), str("country", false), str("status", false),
		str("sku", false), str("description", true), str("internal_notes", true),
		map[string]any{"field": "gift", "type": "boolean", "optional": false},
	}
	schema := map[string]any{"type": "struct", "name": "com.example.Order", "optional": false, "fields": fields}
	out := make([][]byte, n)
	for i := range out {
		v := map[string]any{
			"order_id": 100000 + i, "customer_name": fmt.Sprintf("Customer Number %06d", i),
			"customer_email": fmt.Sprintf("customer.%06d@example.com", i), "phone": "+47 555 01 234",
			"card_number": "4111 1111 1111 1111", "quantity": i % 17, "unit_price": float64(i%1000) / 4,
			"created": 1700000000000 + int64(i)*1000, "street": "1234 Long Avenue Name, Building " + fmt.Sprint(i%50),
			"city": "Oslo", "country": "Norway", "status": []string{"NEW", "PAID", "SHIPPED"}[i%3],
			"sku":            fmt.Sprintf("SKU-%08d-XL-BLUE", i%5000),
			"description":    strings.Repeat("A comfortable blue sweater, size XL. ", 12),
			"internal_notes": "handled by the night shift; no special instructions", "gift": i%2 == 0,
		}
		line := map[string]any{"topic": "orders", "partition": i % 3, "offset": i, "timestamp": 1700000000000 + int64(i),
			"key": nil, "value": v, "value_schema": schema}
		out[i], _ = json.Marshal(line)
	}
	return out
}

func decodeAll(tb testing.TB, lines [][]byte) []*connectors.Record {
	recs := make([]*connectors.Record, len(lines))
	for i, l := range lines {
		r, err := recordline.DecodeLine(l)
		if err != nil {
			tb.Fatal(err)
		}
		recs[i] = r
	}
	return recs
}

// BenchmarkChain5 is the 5-transform chain on 1 KiB Struct records; one op is one record.
func BenchmarkChain5(b *testing.B) {
	chain, err := transforms.NewChain(benchConfig())
	if err != nil {
		b.Fatal(err)
	}
	recs := decodeAll(b, benchRecords(1000))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := chain.Apply(recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
	}
}
