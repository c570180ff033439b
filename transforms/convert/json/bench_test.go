package json

import (
	"context"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// benchRecord is a ~200-byte struct record (payload) typical of CDC values.
func benchRecord() (*connectors.Schema, *connectors.Struct) {
	s := connectors.StructBuilder().Name("com.example.Customer").
		Field("id", connectors.Int64Schema).
		Field("first_name", connectors.StringSchema).
		Field("last_name", connectors.StringSchema).
		Field("email", connectors.OptionalStringSchema).
		Field("balance", connectors.Float64Schema).
		Field("active", connectors.BooleanSchema).
		Field("visits", connectors.Int32Schema).
		Field("updated_at", connectors.TimestampSchema().MustBuild()).
		Field("note", connectors.OptionalStringSchema).MustBuild()
	v := connectors.NewStruct(s).MustPut("id", int64(1234567)).MustPut("first_name", "Annabelle").
		MustPut("last_name", "Lindqvist-Hoffmann").MustPut("email", "annabelle.lindqvist@example.com").
		MustPut("balance", 10432.75).MustPut("active", true).MustPut("visits", int32(87)).
		MustPut("updated_at", time.UnixMilli(1700000000123).UTC()).MustPut("note", "prefers \"email\" contact; VIP since 2019")
	return s, v
}

func BenchmarkJSONFromConnect(b *testing.B) {
	c := mustNew(b, nil)
	s, v := benchRecord()
	out, _ := c.FromConnect(context.Background(), "t", s, v)
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.FromConnect(context.Background(), "t", s, v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONToConnect(b *testing.B) {
	c := mustNew(b, nil)
	s, v := benchRecord()
	data, _ := c.FromConnect(context.Background(), "t", s, v)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.ToConnect(context.Background(), "t", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONToConnectSchemaless reads a datagen orders value (nested
// object, strings, integers, a double) with schemas.enable=false, as the
// passthrough benchmark's sink does.
func BenchmarkJSONToConnectSchemaless(b *testing.B) {
	c := mustNew(b, map[string]string{"schemas.enable": "false"})
	data := []byte(`{"ordertime":1497014222380,"orderid":18,"itemid":"Item_184","orderunits":7.475185666922104,"address":{"city":"City_8","state":"State_57","zipcode":14263}}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.ToConnect(context.Background(), "t", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONJavaTextSchemaless prints the same orders value as
// FileStreamSink does, from its bytes (AppendJavaText): the passthrough
// benchmark's sink path.
func BenchmarkJSONJavaTextSchemaless(b *testing.B) {
	c := mustNew(b, map[string]string{"schemas.enable": "false"})
	data := []byte(`{"ordertime":1497014222380,"orderid":18,"itemid":"Item_184","orderunits":7.475185666922104,"address":{"city":"City_8","state":"State_57","zipcode":14263}}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	buf := make([]byte, 0, 512)
	for b.Loop() {
		var err error
		if buf, err = c.AppendJavaText(buf[:0], data); err != nil {
			b.Fatal(err)
		}
	}
}
