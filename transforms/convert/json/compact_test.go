package json

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors/connectjson"
)

// envelope wraps payload in the usual envelope with schema.
func envelope(schema, payload string) string {
	return `{"schema":` + schema + `,"payload":` + payload + `}`
}

const (
	orderSchema = `{"type":"struct","name":"ferry.test.Order","optional":false,"fields":[` +
		`{"type":"int64","optional":false,"field":"id"},{"type":"string","optional":false,"field":"name"},` +
		`{"type":"double","optional":false,"field":"amount"},` +
		`{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"},` +
		`{"type":"boolean","optional":false,"field":"active"},{"type":"string","optional":true,"field":"note"}]}`
	smallInts   = `{"type":"struct","optional":false,"fields":[{"type":"int8","optional":false,"field":"a"},{"type":"int16","optional":true,"field":"b"},{"type":"float","optional":true,"field":"c"}]}`
	withArray   = `{"type":"struct","optional":false,"fields":[{"type":"array","items":{"type":"string","optional":true},"optional":false,"field":"tags"},{"type":"struct","fields":[{"type":"int32","optional":false,"field":"n"}],"optional":true,"field":"inner"}]}`
	withDefault = `{"type":"struct","optional":false,"fields":[{"type":"int32","optional":true,"default":7,"field":"n"}]}`
	decimalOne  = `{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}}`
	mapSchema   = `{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false}`
)

// compactCases are envelopes and whether their payload is written back as is.
var compactCases = []struct {
	name, data string
	ok         bool
}{
	{"order", envelope(orderSchema, `{"id":7,"name":"customer-7-abc def","amount":7.25,"ts":1700000000000,"active":true,"note":null}`), true},
	{"order, non-ASCII name", envelope(orderSchema, `{"id":-7,"name":"café ☕ ü","amount":1.0E10,"ts":-1,"active":false,"note":"x"}`), true},
	{"small ints at their limits", envelope(smallInts, `{"a":-128,"b":32767,"c":0.1}`), true},
	{"array and nested struct", envelope(withArray, `{"tags":["a",null,""],"inner":{"n":0}}`), true},
	{"empty array, null struct", envelope(withArray, `{"tags":[],"inner":null}`), true},
	{"whitespace around the payload", `{ "schema" : ` + withDefault + ` , "payload" : {"n":1} }`, true},
	{"top-level string", envelope(`{"type":"string","optional":false}`, `"plain"`), true},

	{"whitespace inside the payload", envelope(orderSchema, `{"id":7, "name":"c","amount":7.25,"ts":1,"active":true,"note":null}`), false},
	{"fields out of order", envelope(orderSchema, `{"name":"c","id":7,"amount":7.25,"ts":1,"active":true,"note":null}`), false},
	{"a field missing", envelope(orderSchema, `{"id":7,"name":"c","amount":7.25,"ts":1,"active":true}`), false},
	{"an extra field", envelope(orderSchema, `{"id":7,"name":"c","amount":7.25,"ts":1,"active":true,"note":null,"x":1}`), false},
	{"an escape", envelope(orderSchema, `{"id":7,"name":"a\"b","amount":7.25,"ts":1,"active":true,"note":null}`), false},
	{"an escaped slash", envelope(orderSchema, `{"id":7,"name":"a\/b","amount":7.25,"ts":1,"active":true,"note":null}`), false},
	{"beyond the BMP", envelope(orderSchema, `{"id":7,"name":"😀","amount":7.25,"ts":1,"active":true,"note":null}`), false},
	{"invalid UTF-8", envelope(orderSchema, "{\"id\":7,\"name\":\"\xff\",\"amount\":7.25,\"ts\":1,\"active\":true,\"note\":null}"), false},
	{"leading zero", envelope(orderSchema, `{"id":07,"name":"c","amount":7.25,"ts":1,"active":true,"note":null}`), false},
	{"minus zero", envelope(orderSchema, `{"id":-0,"name":"c","amount":7.25,"ts":1,"active":true,"note":null}`), false},
	{"int8 out of range", envelope(smallInts, `{"a":128,"b":1,"c":0.1}`), false},
	{"int64 out of range", envelope(orderSchema, `{"id":9223372036854775808,"name":"c","amount":7.25,"ts":1,"active":true,"note":null}`), false},
	{"a whole double", envelope(orderSchema, `{"id":7,"name":"c","amount":7,"ts":1,"active":true,"note":null}`), false},
	{"an exponent", envelope(orderSchema, `{"id":7,"name":"c","amount":7.25e0,"ts":1,"active":true,"note":null}`), false},
	{"NaN", envelope(orderSchema, `{"id":7,"name":"c","amount":"NaN","ts":1,"active":true,"note":null}`), false},
	{"float32 printed as a double", envelope(smallInts, `{"a":1,"b":1,"c":0.10000000149011612}`), false},
	{"null with a default", envelope(withDefault, `{"n":null}`), false},
	{"null payload", envelope(withDefault, `null`), false},
	{"decimal", envelope(decimalOne, `"AJw="`), false},
	{"map", envelope(mapSchema, `{"a":1}`), false},
	{"payload first", `{"payload":{"n":1},"schema":` + withDefault + `}`, false},
	{"another key", `{"schema":` + withDefault + `,"payload":{"n":1},"x":1}`, false},
}

func TestCompactPayload(t *testing.T) {
	conv := mustNew(t, nil)
	for _, tc := range compactCases {
		t.Run(tc.name, func(t *testing.T) {
			checkCompact(t, conv, []byte(tc.data))
			if _, _, ok := conv.CompactPayload([]byte(tc.data)); ok != tc.ok {
				t.Fatalf("CompactPayload ok = %v, want %v", ok, tc.ok)
			}
		})
	}
	if _, _, ok := mustNew(t, noSchemas).CompactPayload([]byte(compactCases[0].data)); ok {
		t.Fatal("a schemaless converter's values are not envelopes")
	}
}

// checkCompact fails t when CompactPayload takes a payload that is not what
// ToConnect and connectjson.AppendValue (as the S3 sink's JsonFormat writes,
// either decimal format) make of data.
func checkCompact(t *testing.T, conv *Converter, data []byte) {
	t.Helper()
	s, payload, ok := conv.CompactPayload(data)
	if !ok {
		return
	}
	ws, v, err := conv.ToConnect(context.Background(), "t", data)
	if err != nil || v == nil {
		t.Fatalf("%q: payload taken as is, but ToConnect gives %v, %v", data, v, err)
	}
	if s != ws {
		t.Fatalf("%q: schema %v, ToConnect's %v", data, s, ws)
	}
	for _, numeric := range []bool{false, true} {
		want, err := connectjson.AppendValue(nil, ws, v, connectjson.Options{ReplaceNullWithDefault: true, DecimalNumeric: numeric})
		if err != nil || !bytes.Equal(payload, want) {
			t.Fatalf("%q: payload %s taken as is, but it is written %s (%v)", data, payload, want, err)
		}
	}
}

// FuzzCompactPayload checks that a payload CompactPayload takes as is is
// exactly what ToConnect reads and connectjson writes back, for converters
// with and without replace.null.with.default.
func FuzzCompactPayload(f *testing.F) {
	for _, tc := range compactCases {
		f.Add([]byte(tc.data))
	}
	f.Add([]byte(envelope(orderSchema, `{"id":1,"name":"`+strings.Repeat("abcdefgh", 20)+`","amount":0.001,"ts":0,"active":true,"note":"é"}`)))
	convs := []*Converter{mustNew(f, nil), mustNew(f, map[string]string{"replace.null.with.default": "false"})}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, conv := range convs {
			for range 2 { // the second time the schema is the one seen last
				checkCompact(t, conv, data)
			}
		}
	})
}
