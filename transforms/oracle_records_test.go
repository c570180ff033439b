//go:build integration

package transforms_test

import (
	"encoding/base64"
	"fmt"
	"math/rand"
)

// The record pool of the oracle test, in the record-line form of `ferry
// transforms apply`: Structs with logical types, nested structs, arrays and
// maps; schemaless maps with typed values; primitives; tombstones; Debezium
// change events; with and without keys and headers.

type obj = map[string]any

func f(name, typ string, optional bool, extra ...any) obj {
	o := obj{"field": name, "type": typ, "optional": optional}
	for i := 0; i+1 < len(extra); i += 2 {
		o[extra[i].(string)] = extra[i+1]
	}
	return o
}

const (
	tsName  = "org.apache.kafka.connect.data.Timestamp"
	dateNm  = "org.apache.kafka.connect.data.Date"
	decName = "org.apache.kafka.connect.data.Decimal"
)

var (
	geoSchema  = obj{"type": "struct", "optional": true, "fields": []any{f("lat", "double", false), f("lon", "double", false)}}
	addrSchema = obj{"type": "struct", "optional": true, "name": "com.example.Address", "fields": []any{
		f("city", "string", false), f("zip", "string", true), obj{"field": "geo", "type": "struct", "optional": true, "fields": geoSchema["fields"]}}}
	userSchema = obj{"type": "struct", "name": "com.example.User", "version": 1, "optional": false, "fields": []any{
		f("id", "int64", false), f("name", "string", false), f("email", "string", true),
		f("age", "int32", true, "default", 18), f("score", "double", false), f("ratio", "float", true),
		f("active", "boolean", false), f("small", "int8", true),
		f("created", "int64", true, "name", tsName, "version", 1),
		f("birthday", "int32", true, "name", dateNm, "version", 1),
		f("price", "bytes", true, "name", decName, "version", 1, "parameters", obj{"scale": "2"}),
		f("tags", "array", true, "items", obj{"type": "string", "optional": false}),
		f("attrs", "map", true, "keys", obj{"type": "string", "optional": false}, "values", obj{"type": "string", "optional": true}),
		withField(addrSchema, "addr"),
		f("raw", "bytes", true), f("ts_str", "string", true), f("ts_unix", "int64", true)}}
	// orderSchema has no MAP field, so Flatten accepts it.
	orderSchema = obj{"type": "struct", "name": "com.example.Order", "optional": false, "fields": []any{
		f("order_id", "int64", false),
		obj{"field": "customer", "type": "struct", "optional": true, "fields": []any{
			f("name", "string", false), withField(addrSchema, "address")}},
		f("items", "array", false, "items", obj{"type": "int32", "optional": false}),
		f("total", "bytes", false, "name", decName, "version", 1, "parameters", obj{"scale": "2"}),
		f("note", "string", true, "default", "none")}}
	keySchema = obj{"type": "struct", "name": "com.example.Key", "optional": false, "fields": []any{
		f("id", "int64", false), f("region", "string", true)}}
	rowSchema = obj{"type": "struct", "optional": true, "name": "dbserver1.inventory.customers.Value", "fields": []any{
		f("id", "int32", false), f("email", "string", true), f("name", "string", true)}}
	envSchema = obj{"type": "struct", "name": "dbserver1.inventory.customers.Envelope", "optional": false, "fields": []any{
		withField(rowSchema, "before"), withField(rowSchema, "after"),
		obj{"field": "source", "type": "struct", "optional": false, "name": "io.debezium.connector.postgresql.Source", "fields": []any{
			f("version", "string", false), f("connector", "string", false), f("name", "string", false), f("ts_ms", "int64", false),
			f("db", "string", false), f("schema", "string", false), f("table", "string", false)}},
		f("op", "string", false), f("ts_ms", "int64", true),
		obj{"field": "transaction", "type": "struct", "optional": true, "fields": []any{
			f("id", "string", false), f("total_order", "int64", false), f("data_collection_order", "int64", false)}}}}
)

func withField(s obj, name string) obj {
	o := obj{"field": name}
	for k, v := range s {
		o[k] = v
	}
	return o
}

var words = []string{"ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ivy", "jo"}

// genRecords returns n deterministic record lines plus the hand-written ones.
func genRecords(n int) []obj {
	rng := rand.New(rand.NewSource(42))
	var out []obj
	for i := 0; i < n; i++ {
		var r obj
		switch i % 8 {
		case 0, 1:
			r = userRecord(rng, i)
		case 2:
			r = orderRecord(rng, i)
		case 3, 4:
			r = schemalessRecord(rng, i)
		case 5:
			r = primitiveRecord(rng, i)
		case 6:
			r = envelopeRecord(rng, i)
		case 7:
			r = tombstone(rng, i)
		}
		out = append(out, r)
	}
	return append(out, handWritten()...)
}

func base(rng *rand.Rand, i int) obj {
	topics := []string{"users", "orders-raw", "test-events", "cdc.inventory", "a.b.c"}
	r := obj{"topic": topics[rng.Intn(len(topics))], "headers": headers(rng)}
	if rng.Intn(4) > 0 {
		r["partition"], r["offset"] = rng.Intn(6), 1000+i
	}
	if rng.Intn(5) > 0 {
		r["timestamp"] = int64(1_600_000_000_000) + rng.Int63n(200_000_000_000)
	}
	return r
}

func headers(rng *rand.Rand) []any {
	var hs []any
	for j := rng.Intn(4); j > 0; j-- {
		switch rng.Intn(4) {
		case 0:
			hs = append(hs, obj{"key": fmt.Sprintf("h%d", rng.Intn(4)), "value": words[rng.Intn(len(words))]})
		case 1:
			hs = append(hs, obj{"key": "h1", "value": rng.Intn(100), "value_schema": obj{"type": "int32", "optional": false}})
		case 2:
			hs = append(hs, obj{"key": "trace", "value": obj{"$int16": rng.Intn(1000)}})
		default:
			hs = append(hs, obj{"key": "h3", "value": nil})
		}
	}
	return hs
}

func maybe(rng *rand.Rand, v any) any {
	if rng.Intn(4) == 0 {
		return nil
	}
	return v
}

func userValue(rng *rand.Rand, i int) obj {
	v := obj{"id": i, "name": words[rng.Intn(len(words))], "email": maybe(rng, fmt.Sprintf("u%d@example.com", i)),
		"age": maybe(rng, rng.Intn(90)), "score": float64(rng.Intn(10000)) / 8, "ratio": maybe(rng, float64(rng.Intn(64))/4),
		"active": rng.Intn(2) == 0, "small": maybe(rng, rng.Intn(256)-128),
		"created":  maybe(rng, int64(1_500_000_000_000)+rng.Int63n(300_000_000_000)),
		"birthday": maybe(rng, rng.Intn(20000)-5000), "price": maybe(rng, fmt.Sprintf("%d.%02d", rng.Intn(1000), rng.Intn(100))),
		"tags": maybe(rng, []any{words[rng.Intn(10)], words[rng.Intn(10)]}), "attrs": maybe(rng, obj{"k": words[rng.Intn(10)]}),
		"raw":     maybe(rng, base64.StdEncoding.EncodeToString([]byte{byte(i), 1, 2})),
		"ts_str":  maybe(rng, fmt.Sprintf("20%02d-%02d-%02dT%02d:%02d:%02d", rng.Intn(30), 1+rng.Intn(12), 1+rng.Intn(28), rng.Intn(24), rng.Intn(60), rng.Intn(60))),
		"ts_unix": maybe(rng, int64(1_500_000_000_000)+rng.Int63n(300_000_000_000))}
	if rng.Intn(3) > 0 {
		addr := obj{"city": words[rng.Intn(10)] + "ville", "zip": maybe(rng, fmt.Sprintf("%05d", rng.Intn(99999))), "geo": nil}
		if rng.Intn(2) == 0 {
			addr["geo"] = obj{"lat": float64(rng.Intn(180)) - 90.5, "lon": float64(rng.Intn(360)) / 2}
		}
		v["addr"] = addr
	} else {
		v["addr"] = nil
	}
	if s, ok := v["price"].(string); ok {
		v["price"] = jsonNumber(s)
	}
	return v
}

// jsonNumber is a decimal written as a JSON number with its scale.
type jsonNumber string

func (n jsonNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }

func structKey(rng *rand.Rand, i int) (any, obj) {
	return obj{"id": i, "region": maybe(rng, []string{"eu", "us"}[rng.Intn(2)])}, keySchema
}

func userRecord(rng *rand.Rand, i int) obj {
	r := base(rng, i)
	r["value"], r["value_schema"] = userValue(rng, i), userSchema
	if rng.Intn(3) > 0 {
		r["key"], r["key_schema"] = structKey(rng, i)
	}
	return r
}

func orderRecord(rng *rand.Rand, i int) obj {
	r := base(rng, i)
	v := obj{"order_id": i, "items": []any{rng.Intn(10), rng.Intn(10)}, "total": jsonNumber(fmt.Sprintf("%d.%02d", rng.Intn(500), rng.Intn(100))),
		"note": maybe(rng, "gift"), "customer": nil}
	if rng.Intn(4) > 0 {
		addr := any(nil)
		if rng.Intn(2) == 0 {
			addr = obj{"city": "Oslo", "zip": maybe(rng, "0150"), "geo": maybe(rng, obj{"lat": 59.9, "lon": 10.7})}
		}
		v["customer"] = obj{"name": words[rng.Intn(10)], "address": addr}
	}
	r["value"], r["value_schema"] = v, orderSchema
	r["key"], r["key_schema"] = i, obj{"type": "int64", "optional": false}
	return r
}

func schemalessRecord(rng *rand.Rand, i int) obj {
	r := base(rng, i)
	v := obj{"id": i, "name": words[rng.Intn(10)], "email": maybe(rng, "x@y.z"), "score": float64(rng.Intn(100)) / 4,
		"flag": rng.Intn(2) == 0, "tags": []any{"a", obj{"$int8": rng.Intn(100)}},
		"nested": obj{"a": obj{"$int16": rng.Intn(1000)}, "b": obj{"c": words[rng.Intn(10)], "d": nil}}}
	switch rng.Intn(4) {
	case 0:
		v["age"] = obj{"$int32": rng.Intn(90)}
		v["ts_str"] = fmt.Sprintf("2021-%02d-%02dT10:00:00", 1+rng.Intn(12), 1+rng.Intn(28))
	case 1:
		v["bin"] = obj{"$bytes": "AQID"}
		v["ts_unix"] = int64(1_600_000_000_000) + rng.Int63n(1_000_000)
	case 2:
		v["when"] = obj{"$timestamp": int64(1_600_000_000_000) + rng.Int63n(1_000_000)}
		v["dec"] = obj{"$decimal": "12.50"}
	default:
		v["f32"] = obj{"$float32": 1.5}
		v["age"] = "42"
	}
	r["value"] = v
	if rng.Intn(2) == 0 {
		r["key"] = obj{"id": i}
	} else {
		r["key"] = fmt.Sprintf("k%d", i)
	}
	return r
}

func primitiveRecord(rng *rand.Rand, i int) obj {
	r := base(rng, i)
	switch rng.Intn(6) {
	case 0:
		r["value"] = words[rng.Intn(10)]
	case 1:
		r["value"], r["value_schema"] = int64(1_600_000_000_000)+rng.Int63n(1_000_000_000), obj{"type": "int64", "optional": false}
	case 2:
		r["value"], r["value_schema"] = fmt.Sprint(rng.Intn(300)-150), obj{"type": "string", "optional": true}
	case 3:
		r["value"] = float64(rng.Intn(1000)) / 3
	case 4:
		r["value"], r["value_schema"] = rng.Intn(1_000_000), obj{"type": "int64", "optional": false, "name": tsName, "version": 1}
	default:
		r["value"] = []any{int64(1), "two", true}
	}
	return r
}

func envelopeRecord(rng *rand.Rand, i int) obj {
	r := base(rng, i)
	row := func() obj {
		return obj{"id": i, "email": maybe(rng, fmt.Sprintf("c%d@x.org", i)), "name": maybe(rng, words[rng.Intn(10)])}
	}
	op := []string{"c", "u", "d", "r", "t"}[rng.Intn(5)]
	env := obj{"op": op, "ts_ms": maybe(rng, int64(1_700_000_000_000)+int64(i)), "before": nil, "after": nil,
		"source": obj{"version": "3.4.3.Final", "connector": "postgresql", "name": "dbserver1", "ts_ms": int64(1_700_000_000_000) - int64(i),
			"db": "postgres", "schema": "inventory", "table": "customers"},
		"transaction": maybe(rng, obj{"id": fmt.Sprintf("tx%d", i), "total_order": 1, "data_collection_order": 1})}
	switch op {
	case "c", "r":
		env["after"] = row()
	case "u":
		env["before"], env["after"] = row(), row()
	case "d":
		env["before"] = row()
	}
	r["value"], r["value_schema"] = env, envSchema
	r["key"], r["key_schema"] = obj{"id": i}, obj{"type": "struct", "optional": false, "name": "dbserver1.inventory.customers.Key",
		"fields": []any{f("id", "int32", false)}}
	return r
}

func tombstone(rng *rand.Rand, i int) obj {
	r := base(rng, i)
	switch rng.Intn(3) {
	case 0:
		r["key"] = fmt.Sprintf("k%d", i)
	case 1:
		r["key"], r["key_schema"] = structKey(rng, i)
	default:
		r["value_schema"] = userSchema
	}
	r["value"] = nil
	return r
}

func handWritten() []obj {
	return []obj{
		{"topic": "users", "partition": 0, "offset": 1, "timestamp": 0, "value": obj{}},
		{"topic": "users", "value": obj{"nested": obj{"deep": obj{"x": nil}}}},
		{"topic": "users", "partition": 1, "offset": 2, "value": obj{"id": 1, "name": "n", "score": 0.1, "active": true, "age": nil},
			"value_schema": userSchema},
		{"topic": "", "value": "empty topic"},
		{"topic": "x-raw", "value": obj{"$bytes": ""}},
		{"topic": "big", "value": obj{"n": int64(9007199254740993), "neg": -1, "f": 1e-7, "g": 1.0e21, "s": "ünïcödé <&>"}},
		{"topic": "users", "timestamp": -86400000, "value": obj{"when": obj{"$timestamp": -1}}},
	}
}
