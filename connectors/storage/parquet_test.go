package storage

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/parquet-go/parquet-go"
)

// Every Connect type round-trips through a Parquet file (read back with
// parquet-go; the integration test reads files with pyarrow).
func TestParquetRoundTrip(t *testing.T) {
	s := AllTypesSchema()
	f, _ := NewParquetFormat("zstd")
	var buf bytes.Buffer
	first := &connectors.Record{ValueSchema: s, Value: AllTypesValue(s, 0)}
	w, err := f.Open(&buf, first)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := w.Write(&connectors.Record{ValueSchema: s, Value: AllTypesValue(s, i)}); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	if err := w.Close(); err != nil {
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
			s := AllTypesSchema()
			f, err := NewParquetFormat(codec)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			w, err := f.Open(&buf, &connectors.Record{ValueSchema: s, Value: AllTypesValue(s, 0)})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 4; i++ {
				if err := w.Write(&connectors.Record{ValueSchema: s, Value: AllTypesValue(s, i)}); err != nil {
					t.Fatalf("row %d: %v", i, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			golden(t, "testdata/all-types."+codec+".parquet", buf.Bytes())
		})
	}
}
