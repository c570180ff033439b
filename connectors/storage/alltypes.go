package storage

import (
	"bytes"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// AllTypesSchema has every Connect type the Parquet format maps: a fixture
// for the storage sinks' tests.
func AllTypesSchema() *connectors.Schema {
	addr := connectors.StructBuilder().Field("city", connectors.StringSchema).Field("zip", connectors.OptionalInt32Schema).MustBuild()
	return connectors.StructBuilder().Name("ferry.test.All").
		Field("i8", connectors.Int8Schema).Field("i16", connectors.Int16Schema).Field("i32", connectors.Int32Schema).
		Field("i64", connectors.Int64Schema).Field("f32", connectors.Float32Schema).Field("f64", connectors.Float64Schema).
		Field("ok", connectors.BooleanSchema).Field("s", connectors.StringSchema).Field("b", connectors.BytesSchema).
		Field("price", connectors.DecimalSchema(2).MustBuild()).Field("day", connectors.DateSchema().MustBuild()).
		Field("at", connectors.TimeSchema().MustBuild()).Field("ts", connectors.TimestampSchema().MustBuild()).
		Field("note", connectors.OptionalStringSchema).Field("addr", addr).
		Field("tags", connectors.ArrayOf(connectors.StringSchema).MustBuild()).
		Field("attrs", connectors.MapOf(connectors.StringSchema, connectors.Int64Schema).MustBuild()).MustBuild()
}

// AllTypesValue is row i of AllTypesSchema s.
func AllTypesValue(s *connectors.Schema, i int) *connectors.Struct {
	addr := connectors.NewStruct(s.Field("addr").Schema).MustPut("city", fmt.Sprintf("c%d", i))
	if i%2 == 0 {
		addr.MustPut("zip", int32(1000+i))
	}
	price, _ := connectors.ParseDecimal(fmt.Sprintf("%d.%02d", i, i))
	v := connectors.NewStruct(s).MustPut("i8", int8(i)).MustPut("i16", int16(i*2)).MustPut("i32", int32(i*3)).
		MustPut("i64", int64(i)<<40).MustPut("f32", float32(i)/2).MustPut("f64", float64(i)/4).MustPut("ok", i%2 == 1).
		MustPut("s", fmt.Sprintf("s%d", i)).MustPut("b", []byte{byte(i), 0xff}).MustPut("price", price).
		MustPut("day", time.Date(2026, 3, 1+i, 0, 0, 0, 0, time.UTC)).
		MustPut("at", time.Date(1970, 1, 1, 10, 0, i, 5e6, time.UTC)).
		MustPut("ts", time.UnixMilli(1700000000000+int64(i)).UTC()).
		MustPut("addr", addr).MustPut("tags", []any{"a", fmt.Sprint(i)}).MustPut("attrs", map[string]any{"k": int64(i)})
	if i%3 == 0 {
		v.MustPut("note", "n")
	}
	return v
}

// AllTypesParquet writes n rows of AllTypesSchema as one Parquet file
// (zstd), for the readers (pyarrow) the integration tests check files with.
func AllTypesParquet(n int) ([]byte, error) {
	s := AllTypesSchema()
	f, err := NewParquetFormat("zstd")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w, err := f.Open(&buf, &connectors.Record{ValueSchema: s})
	if err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		if err := w.Write(&connectors.Record{ValueSchema: s, Value: AllTypesValue(s, i)}); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
