package s3sink

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/parquet-go/parquet-go"
)

// complexSchema has every Connect type the Parquet format maps.
func complexSchema() *connectors.Schema {
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

func complexValue(s *connectors.Schema, i int) *connectors.Struct {
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

// Every Connect type round-trips through a Parquet file (read back with
// parquet-go; the integration test reads files with pyarrow).
func TestParquetRoundTrip(t *testing.T) {
	s := complexSchema()
	f, _ := newParquetFormat("zstd")
	var buf bytes.Buffer
	first := &connectors.Record{ValueSchema: s, Value: complexValue(s, 0)}
	w, err := f.open(&buf, first)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := w.write(&connectors.Record{ValueSchema: s, Value: complexValue(s, i)}); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("FERRY_PARQUET_OUT"); out != "" {
		os.WriteFile(out, buf.Bytes(), 0o644) // for a look with another reader
	}
	file, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if file.NumRows() != 3 {
		t.Fatalf("%d rows", file.NumRows())
	}
	rows := parquet.NewGenericReader[map[string]any](file, file.Schema())
	got := make([]map[string]any, 3)
	for i := range got {
		got[i] = map[string]any{}
	}
	if n, _ := rows.Read(got); n != 3 {
		t.Fatalf("read %d rows", n)
	}
	r := got[2]
	want := map[string]any{"i8": int32(2), "i16": int32(4), "i32": int32(6), "i64": int64(2) << 40, "f32": float32(1),
		"f64": 0.5, "ok": false, "s": "s2"}
	for k, v := range want {
		if fmt.Sprint(r[k]) != fmt.Sprint(v) {
			t.Errorf("%s = %v (%T), want %v", k, r[k], r[k], v)
		}
	}
	if fmt.Sprint(got[0]["note"]) != "n" || got[1]["note"] != nil {
		t.Errorf("notes %v %v", got[0]["note"], got[1]["note"])
	}
	t.Logf("schema:\n%s\nrow 2: %v", file.Schema(), r)
}

// TestParquetGolden pins the Parquet bytes the sink writes for every Connect
// type (snappy and zstd), so an upgrade of parquet-go or a change in the
// schema mapping that alters what readers see shows up as a diff. Regenerate
// with UPDATE_GOLDEN=1 after checking the file with another reader
// (FERRY_PARQUET_OUT and testdata/read_parquet.py).
func TestParquetGolden(t *testing.T) {
	for _, codec := range []string{"snappy", "zstd"} {
		t.Run(codec, func(t *testing.T) {
			s := complexSchema()
			f, err := newParquetFormat(codec)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			w, err := f.open(&buf, &connectors.Record{ValueSchema: s, Value: complexValue(s, 0)})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 4; i++ {
				if err := w.write(&connectors.Record{ValueSchema: s, Value: complexValue(s, i)}); err != nil {
					t.Fatalf("row %d: %v", i, err)
				}
			}
			if err := w.close(); err != nil {
				t.Fatal(err)
			}
			golden(t, "testdata/all-types."+codec+".parquet", buf.Bytes())
		})
	}
}
