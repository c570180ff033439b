package convert

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/avro"
	"github.com/ferryhq/ferry/transforms/convert/json"
	"github.com/ferryhq/ferry/transforms/convert/jsonschema"
	"github.com/ferryhq/ferry/transforms/convert/protobuf"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry/srtest"
)

// benchRecord is a struct of about 1 KiB in JsonConverter's envelope form: a
// CDC-like row with nested lines, a map, logical types and optional fields.
func benchRecord() (*connectors.Schema, *connectors.Struct) {
	line := connectors.StructBuilder().Name("com.example.Line").
		Field("sku", connectors.StringSchema).Field("qty", connectors.Int32Schema).
		Field("price", connectors.DecimalSchema(2).MustBuild()).MustBuild()
	s := connectors.StructBuilder().Name("com.example.Order").
		Field("id", connectors.Int64Schema).
		Field("customer", connectors.StringSchema).
		Field("email", connectors.OptionalStringSchema).
		Field("total", connectors.Float64Schema).
		Field("paid", connectors.BooleanSchema).
		Field("created_at", connectors.TimestampSchema().MustBuild()).
		Field("ship_date", connectors.DateSchema().Optional().MustBuild()).
		Field("lines", connectors.ArrayOf(line).MustBuild()).
		Field("attrs", connectors.MapOf(connectors.StringSchema, connectors.StringSchema).MustBuild()).
		Field("note", connectors.OptionalStringSchema).MustBuild()
	var lines []any
	for i := range 4 {
		lines = append(lines, connectors.NewStruct(line).MustPut("sku", fmt.Sprintf("SKU-%05d-XL", i)).
			MustPut("qty", int32(i+1)).MustPut("price", srtest.Dec(int64(1999+i*100), 2)))
	}
	v := connectors.NewStruct(s).MustPut("id", int64(987654321)).MustPut("customer", "Annabelle Lindqvist-Hoffmann").
		MustPut("email", "annabelle.lindqvist@example.com").MustPut("total", 10432.75).MustPut("paid", true).
		MustPut("created_at", time.UnixMilli(1700000000123).UTC()).MustPut("ship_date", connectors.DaysToDate(19700)).
		MustPut("lines", lines).
		MustPut("attrs", map[string]any{"channel": "web", "campaign": "autumn-sale", "locale": "sv-SE"}).
		MustPut("note", "prefers \"email\" contact; VIP since 2019; leave parcel with the neighbour at number 12")
	return s, v
}

// BenchmarkConverters runs every converter on the same record in one run, so
// that their ns/op can be read as ratios (JsonConverter is the baseline).
// The Schema Registry converters use the in-process stand-in registry; after
// the first record, ids and schemas come from the converters' caches.
func BenchmarkConverters(b *testing.B) {
	reg := srtest.StandIn(b)
	props := map[string]string{"schema.registry.url": reg.URL()}
	jc, _ := json.New(nil, false)
	ac, err := avro.New(props, false)
	if err != nil {
		b.Fatal(err)
	}
	jsc, err := jsonschema.New(props, false)
	if err != nil {
		b.Fatal(err)
	}
	pc, err := protobuf.New(props, false)
	if err != nil {
		b.Fatal(err)
	}
	s, v := benchRecord()
	for _, c := range []struct {
		name string
		conv Converter
	}{{"JsonConverter", jc}, {"AvroConverter", ac}, {"JsonSchemaConverter", jsc}, {"ProtobufConverter", pc}} {
		data, err := c.conv.FromConnect(context.Background(), "bench", s, v)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/FromConnect", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.conv.FromConnect(context.Background(), "bench", s, v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/ToConnect", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := c.conv.ToConnect(context.Background(), "bench", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
