package storage

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// JsonFormat writes one JsonConverter (schemas.enable=false) value per line,
// plain and gzipped (the gzipped file holds enough lines to span several
// deflate blocks).
func TestJSONFormatGolden(t *testing.T) {
	schema := connectors.StructBuilder().Field("id", connectors.Int64Schema).
		Field("ts", connectors.TimestampSchema().MustBuild()).
		Field("price", connectors.DecimalSchema(2).MustBuild()).
		Field("note", connectors.OptionalStringSchema).MustBuild()
	for _, c := range []struct {
		gzip   bool
		rows   int64
		note   string // the note of every third row; a tombstone line ends the file when set
		golden string
	}{
		{false, 3, "", "testdata/json.golden"},
		{true, 3000, "note \"quoted\" é\n", "testdata/json.gz.golden"},
	} {
		var buf bytes.Buffer
		w, _ := JSONLines(true, c.gzip).Open(&buf, nil)
		for i := int64(0); i < c.rows; i++ {
			d, _ := connectors.ParseDecimal(fmt.Sprintf("12.3%d", i%10))
			v := connectors.NewStruct(schema).MustPut("id", i).MustPut("ts", time.UnixMilli(1700000000000+i).UTC()).MustPut("price", d)
			switch {
			case i == 1 && c.note == "":
				v.MustPut("note", "second")
			case i%3 == 1 && c.note != "":
				v.MustPut("note", fmt.Sprint(c.note, i))
			}
			if err := w.Write(&connectors.Record{Topic: "t", ValueSchema: schema, Value: v}); err != nil {
				t.Fatal(err)
			}
		}
		last := []*connectors.Record{{Topic: "t", Value: map[string]any{"b": "x", "a": int64(1)}}}
		if c.note != "" {
			last = append(last, &connectors.Record{Topic: "t"})
		}
		for _, r := range last {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		golden(t, c.golden, buf.Bytes())
	}
}

// ByteArrayFormat writes raw bytes followed by the separator.
func TestByteArrayFormatGolden(t *testing.T) {
	var buf bytes.Buffer
	f := ByteArrayLines(".bin", "|", false)
	w, _ := f.Open(&buf, nil)
	for _, v := range [][]byte{[]byte("one"), {0, 1, 2}, []byte("three")} {
		if err := w.Write(&connectors.Record{Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Write(&connectors.Record{Value: "text"}); !errors.Is(err, ErrRecord) {
		t.Fatalf("a string value: got %v, want ErrRecord", err)
	}
	golden(t, "testdata/bytearray.golden", buf.Bytes())
}

// Schemas without a Parquet form are refused, naming the field.
func TestParquetSchemaErrors(t *testing.T) {
	f, _ := NewParquetFormat("snappy")
	intKeys := connectors.StructBuilder().Field("m", connectors.MapOf(connectors.Int32Schema, connectors.StringSchema).MustBuild()).MustBuild()
	cases := []struct {
		schema *connectors.Schema
		want   string
	}{
		{nil, "no schema"},
		{connectors.StringSchema, "schema type STRING"},
		{intKeys, `field "m"`},
	}
	for _, c := range cases {
		_, err := f.schemaOf(c.schema)
		if !errors.Is(err, ErrSchema) || !bytes.Contains([]byte(err.Error()), []byte(c.want)) {
			t.Errorf("got %v, want ErrSchema naming %s", err, c.want)
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs (%d bytes, want %d):\ngot:\n%q\nwant:\n%q", path, len(got), len(want), got, want)
	}
}

// sliceRecorder records the slices it is given and appends their bytes.
type sliceRecorder struct {
	got   [][]byte
	bytes []byte
}

func (s *sliceRecorder) Write(p []byte) (int, error) {
	s.got = append(s.got, p)
	s.bytes = append(s.bytes, p...)
	return len(p), nil
}

// TestLinesWrittenInPlace: bytes a line format writes unchanged (a
// JSONText payload, a ByteArrayFormat value) reach the file's writer as they
// are, not copied into a line buffer first (before, every line was); other
// values are encoded. The bytes written are the same either way.
func TestLinesWrittenInPlace(t *testing.T) {
	payload := connectors.JSONText(`{"id":1,"name":"a"}`)
	raw := []byte{0, 1, 2}
	schema := connectors.StructBuilder().Field("id", connectors.Int64Schema).MustBuild()
	for _, c := range []struct {
		name    string
		f       LineFormat
		r       *connectors.Record
		inPlace []byte // the slice the writer must be given, nil when encoded
		want    string
	}{
		{"JSONText", JSONLines(false, false), &connectors.Record{ValueSchema: schema, Value: &payload}, payload, `{"id":1,"name":"a"}` + "\n"},
		{"struct", JSONLines(false, false), &connectors.Record{ValueSchema: schema, Value: connectors.NewStruct(schema).MustPut("id", int64(1))}, nil, `{"id":1}` + "\n"},
		{"tombstone", JSONLines(false, false), &connectors.Record{}, nil, "\n"},
		{"bytes", ByteArrayLines(".bin", "|", false), &connectors.Record{Value: raw}, raw, "\x00\x01\x02|"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rec sliceRecorder
			w, _ := c.f.Open(&rec, nil)
			if err := w.Write(c.r); err != nil {
				t.Fatal(err)
			}
			if string(rec.bytes) != c.want {
				t.Fatalf("wrote %q, want %q", rec.bytes, c.want)
			}
			first := rec.got[0]
			own := c.inPlace != nil && len(first) == len(c.inPlace) && &first[0] == &c.inPlace[0]
			if own != (c.inPlace != nil) {
				t.Fatalf("the value's own bytes given to the writer: %v, want %v", own, c.inPlace != nil)
			}
		})
	}
}
