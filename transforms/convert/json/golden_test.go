package json

import (
	"bufio"
	"bytes"
	"context"
	"math"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// vector is one byte-exact case of testdata/jsonconverter.golden.
type vector struct {
	props  map[string]string
	schema *connectors.Schema
	value  any
	// read is the value expected back when it differs from value.
	read    any
	readSet bool
	// noValueCompare skips the value comparison (NaN is not equal to itself);
	// the re-encoded bytes are still compared.
	noValueCompare bool
}

var (
	noSchemas = map[string]string{"schemas.enable": "false"}
	numeric   = map[string]string{"decimal.format": "NUMERIC"}
)

func dec(unscaled int64, scale int32) connectors.Decimal {
	return connectors.Decimal{Unscaled: big.NewInt(unscaled), Scale: scale}
}

func vectors() map[string]vector {
	b := connectors.NewSchemaBuilder
	ref7 := connectors.StructBuilder().Field("field1", connectors.BooleanSchema).Field("field2", connectors.StringSchema).MustBuild()
	dec2 := connectors.DecimalSchema(2).MustBuild()
	optDefault := b(connectors.TypeString).Optional().DefaultValue("default").MustBuild()
	ints := connectors.StructBuilder().Field("a", connectors.Int8Schema).Field("b", connectors.Int16Schema).
		Field("c", connectors.Int32Schema).Field("d", connectors.Int64Schema).MustBuild()
	optStruct := connectors.StructBuilder().Field("f", connectors.StringSchema).Optional().MustBuild()
	line := connectors.StructBuilder().Name("Line").Field("sku", connectors.StringSchema).Field("price", connectors.Float64Schema).MustBuild()
	ts := connectors.TimestampSchema().Optional().MustBuild()
	order := connectors.StructBuilder().Name("com.example.Order").Version(2).
		Field("id", connectors.Int64Schema).Field("name", connectors.OptionalStringSchema).
		Field("count", b(connectors.TypeInt32).DefaultValue(int32(42)).MustBuild()).
		Field("lines", connectors.ArrayOf(line).MustBuild()).
		Field("tags", connectors.MapOf(connectors.StringSchema, connectors.Int64Schema).Optional().MustBuild()).
		Field("ts", ts).MustBuild()
	orderValue := func(count any) *connectors.Struct {
		st := connectors.NewStruct(order).MustPut("id", int64(7)).MustPut("count", count).
			MustPut("lines", []any{
				connectors.NewStruct(line).MustPut("sku", "a-1").MustPut("price", 9.99),
				connectors.NewStruct(line).MustPut("sku", "b-2").MustPut("price", 100.0),
			}).
			MustPut("tags", map[string]any{"y": int64(2), "x": int64(1)}).
			MustPut("ts", time.UnixMilli(1700000000123).UTC())
		return st
	}
	return map[string]vector{
		"ref-01-boolean":       {schema: connectors.BooleanSchema, value: true},
		"ref-02-optional-null": {schema: connectors.OptionalBooleanSchema, value: nil},
		"ref-03-metadata": {schema: b(connectors.TypeBoolean).Name("bool").Version(3).Doc("the documentation").
			Parameter("foo", "bar").MustBuild(), value: true},
		"ref-04-bytes": {schema: connectors.BytesSchema, value: []byte("test-string")},
		"ref-05-array": {schema: connectors.ArrayOf(connectors.Int32Schema).MustBuild(), value: []any{int32(1), int32(2), int32(3)}},
		"ref-06-map-int-keys": {schema: connectors.MapOf(connectors.Int32Schema, connectors.Int32Schema).MustBuild(),
			value: connectors.MapEntries{{Key: int32(1), Value: int32(12)}, {Key: int32(2), Value: int32(15)}}},
		"ref-07-struct":           {schema: ref7, value: connectors.NewStruct(ref7).MustPut("field1", true).MustPut("field2", "string2")},
		"ref-08-decimal-base64":   {schema: dec2, value: dec(156, 2)},
		"ref-08-decimal-numeric":  {props: numeric, schema: dec2, value: dec(156, 2)},
		"ref-09-date":             {schema: connectors.DateSchema().MustBuild(), value: connectors.DaysToDate(10000)},
		"ref-09-timestamp":        {schema: connectors.TimestampSchema().MustBuild(), value: time.UnixMilli(4000000000).UTC()},
		"ref-10-schemaless":       {value: true},
		"ref-10-schemas-disabled": {props: noSchemas, value: true},
		"ref-11-default":          {schema: optDefault, value: nil, read: "default", readSet: true},
		"ref-11-default-no-replace": {props: map[string]string{"replace.null.with.default": "false"},
			schema: optDefault, value: nil},
		"ref-12-offset-key":   {props: noSchemas, value: []any{"my-conn", map[string]any{"filename": "/tmp/a.txt"}}},
		"ref-12-offset-value": {props: noSchemas, value: map[string]any{"position": int64(1234)}},

		"own-ints": {schema: ints, value: connectors.NewStruct(ints).MustPut("a", int8(-128)).MustPut("b", int16(32767)).
			MustPut("c", int32(math.MinInt32)).MustPut("d", int64(math.MaxInt64))},
		"own-doubles": {schema: connectors.ArrayOf(connectors.Float64Schema).MustBuild(), noValueCompare: true,
			value: []any{12.34, 1e20, 1.0, 100.0, 1e7, 1234567.0, 0.001, 0.0001, math.Copysign(0, -1),
				math.MaxFloat64, math.SmallestNonzeroFloat64, -2.5e-8, math.NaN(), math.Inf(1), math.Inf(-1)}},
		"own-floats": {schema: connectors.ArrayOf(connectors.OptionalFloat32Schema).MustBuild(),
			value: []any{float32(0.1), float32(math.MaxFloat32), float32(math.SmallestNonzeroFloat32), float32(1), nil, float32(123456.79)}},
		"own-decimal-negative":               {schema: dec2, value: dec(-156, 2)},
		"own-decimal-negative-numeric":       {props: numeric, schema: dec2, value: dec(-156, 2)},
		"own-decimal-zero":                   {schema: dec2, value: dec(0, 2)},
		"own-decimal-trailing-zeros-numeric": {props: numeric, schema: connectors.DecimalSchema(4).MustBuild(), value: dec(15600, 4)},
		"own-decimal-tiny-numeric":           {props: numeric, schema: connectors.DecimalSchema(10).MustBuild(), value: dec(1, 10)},
		"own-decimal-128-base64":             {schema: connectors.DecimalSchema(0).MustBuild(), value: dec(128, 0)},
		"own-decimal-minus-128":              {schema: connectors.DecimalSchema(0).MustBuild(), value: dec(-128, 0)},
		"oracle-surrogate-pair":              {schema: connectors.StringSchema, value: "emoji 😀 snow ☃"},
		"own-time":                           {schema: connectors.TimeSchema().MustBuild(), value: connectors.MillisToTime(45296789)},
		"own-escapes": {schema: connectors.StringSchema,
			value: "q\"b\\s/<>&\n\t\r\b\f\x01\x1f\x7f é € \u2028 ☃"},
		"own-nested": {schema: order, value: orderValue(nil), read: orderValue(int32(42)), readSet: true},
		"own-schemaless-map": {value: map[string]any{"c": map[string]any{"d": nil}, "a": int64(1),
			"b": []any{true, nil, "s", 2.5}}},
		"own-schemaless-map-int-keys": {value: connectors.MapEntries{{Key: int64(1), Value: "one"}, {Key: int64(2), Value: "two"}},
			read: []any{[]any{int64(1), "one"}, []any{int64(2), "two"}}, readSet: true},
		"own-optional-struct-null": {schema: optStruct, value: nil},
	}
}

func readGolden(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("testdata/jsonconverter.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, data, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("bad golden line %q", line)
		}
		out[name] = data
	}
	return out
}

func TestGoldenVectors(t *testing.T) {
	golden := readGolden(t)
	vs := vectors()
	if len(golden) != len(vs) {
		t.Errorf("golden file has %d vectors, test table %d", len(golden), len(vs))
	}
	for name, want := range golden {
		t.Run(name, func(t *testing.T) {
			v, ok := vs[name]
			if !ok {
				t.Fatalf("no inputs for golden vector %s", name)
			}
			c, err := New(v.props, false)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.FromConnect(context.Background(), "t", v.schema, v.value)
			if err != nil {
				t.Fatalf("FromConnect: %v", err)
			}
			if string(got) != want {
				t.Fatalf("FromConnect bytes\n got %s\nwant %s", got, want)
			}
			checkRead(t, c, v, []byte(want))
		})
	}
}

func checkRead(t *testing.T, c *Converter, v vector, data []byte) {
	t.Helper()
	s, val, err := c.ToConnect(context.Background(), "t", data)
	if err != nil {
		t.Fatalf("ToConnect: %v", err)
	}
	wantSchema := v.schema
	if !c.cfg.SchemasEnable {
		wantSchema = nil
	}
	if !connectors.Equal(s, wantSchema) {
		t.Errorf("ToConnect schema = %+v, want %+v", s, wantSchema)
	}
	want := v.value
	if v.readSet {
		want = v.read
	}
	if !v.noValueCompare && !connectors.ValuesEqual(val, want) {
		t.Errorf("ToConnect value = %#v, want %#v", val, want)
	}
	again, err := c.FromConnect(context.Background(), "t", s, val)
	if err != nil {
		t.Fatalf("re-encode: %v", err)
	}
	if !v.readSet && !bytes.Equal(again, data) {
		t.Errorf("re-encoded bytes\n got %s\nwant %s", again, data)
	}
}
