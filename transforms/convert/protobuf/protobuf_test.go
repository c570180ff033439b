package protobuf

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry/srtest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func newConverter(t testing.TB, url string, props map[string]string) *Converter {
	p := map[string]string{"schema.registry.url": url}
	for k, v := range props {
		p[k] = v
	}
	c, err := New(p, false)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// record is a struct of every type Protobuf can carry, with optional fields
// set and unset.
func record() (*connectors.Schema, *connectors.Struct) {
	inner := connectors.StructBuilder().Name("com.example.Inner").
		Field("id", connectors.Int32Schema).Field("tag", connectors.OptionalStringSchema).MustBuild()
	anon := connectors.StructBuilder().Field("x", connectors.Int64Schema).MustBuild()
	s := connectors.StructBuilder().Name("com.example.All").
		Field("i8", connectors.Int8Schema).
		Field("i16", connectors.Int16Schema).
		Field("i32", connectors.Int32Schema).
		Field("i64", connectors.Int64Schema).
		Field("f32", connectors.Float32Schema).
		Field("f64", connectors.Float64Schema).
		Field("b", connectors.BooleanSchema).
		Field("s", connectors.StringSchema).
		Field("bytes", connectors.BytesSchema).
		Field("dec", connectors.DecimalSchema(2).MustBuild()).
		Field("decp", connectors.DecimalSchema(3).Parameter(precisionParam, "10").Optional().MustBuild()).
		Field("date", connectors.DateSchema().MustBuild()).
		Field("time", connectors.TimeSchema().MustBuild()).
		Field("ts", connectors.TimestampSchema().MustBuild()).
		Field("arr", connectors.ArrayOf(connectors.Float64Schema).MustBuild()).
		Field("i8s", connectors.ArrayOf(connectors.Int8Schema).MustBuild()).
		Field("smap", connectors.MapOf(connectors.StringSchema, connectors.Int64Schema).MustBuild()).
		Field("imap", connectors.MapOf(connectors.Int32Schema, inner).MustBuild()).
		Field("inner", inner).
		Field("anon", anon).
		Field("missing", connectors.StructBuilder().Name("com.example.Opt").Optional().Field("z", connectors.BooleanSchema).MustBuild()).
		MustBuild()
	v := connectors.NewStruct(s).
		MustPut("i8", int8(-5)).MustPut("i16", int16(300)).MustPut("i32", int32(-7)).MustPut("i64", int64(-1)<<40).
		MustPut("f32", float32(1.5)).MustPut("f64", 2.25).MustPut("b", true).MustPut("s", "héllo").
		MustPut("bytes", []byte{0, 1, 255}).MustPut("dec", srtest.Dec(-12345, 2)).MustPut("decp", srtest.Dec(1, 3)).
		MustPut("date", connectors.DaysToDate(19000)).MustPut("time", connectors.MillisToTime(45296789)).
		MustPut("ts", time.UnixMilli(1700000000123).UTC()).
		MustPut("arr", []any{1.0, -0.5}).MustPut("i8s", []any{int8(1), int8(-1)}).
		MustPut("smap", map[string]any{"b": int64(2), "a": int64(1)}).
		MustPut("imap", connectors.MapEntries{{Key: int32(7), Value: connectors.NewStruct(inner).MustPut("id", int32(1)).MustPut("tag", "t")}}).
		MustPut("inner", connectors.NewStruct(inner).MustPut("id", int32(42)).MustPut("tag", "x")).
		MustPut("anon", connectors.NewStruct(anon).MustPut("x", int64(9)))
	return s, v
}

func TestGoldenWireFormat(t *testing.T) {
	reg := srtest.StandIn(t)
	c := newConverter(t, reg.URL(), nil)
	s, v := record()
	b, err := c.FromConnect(context.Background(), "orders", s, v)
	if err != nil {
		t.Fatal(err)
	}
	ss, ok := reg.GetSchema("orders-value", 1)
	if !ok {
		t.Fatal("nothing registered under orders-value")
	}
	got := ss.Schema.Schema + "---\n" + hex.EncodeToString(b) + "\n"
	path := filepath.Join("testdata", "protobuf.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("wire format differs from %s (go test -update rewrites it):\n%s", path, got)
	}
	if !strings.HasPrefix(hex.EncodeToString(b), "000000000100") {
		t.Errorf("header %x, want magic 0, id 1, message index [0] as one 0 byte", b[:6])
	}
}

// TestRoundTrip checks values survive; as in Confluent's converter every
// field reads back optional, and the struct gets the registry version.
func TestRoundTrip(t *testing.T) {
	reg := srtest.StandIn(t)
	c := newConverter(t, reg.URL(), nil)
	s, v := record()
	b, err := c.FromConnect(context.Background(), "rt", s, v)
	if err != nil {
		t.Fatal(err)
	}
	rs, rv, err := newConverter(t, reg.URL(), nil).ToConnect(context.Background(), "rt", b)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Name != s.Name || rs.Version == nil || len(rs.Fields) != len(s.Fields) {
		t.Fatalf("schema %+v", rs)
	}
	st := rv.(*connectors.Struct)
	for i, f := range s.Fields {
		rf := rs.Fields[i]
		if rf.Name != f.Name || rf.Schema.Type != f.Schema.Type || !sameName(rf.Schema.Name, f.Schema.Name) || !rf.Schema.Optional {
			t.Errorf("field %s read as %+v", f.Name, rf.Schema)
			continue
		}
		want, got := v.At(i), st.At(i)
		if ws, ok := want.(*connectors.Struct); ok {
			gs, _ := got.(*connectors.Struct)
			if gs == nil || ws.String() != gs.String() {
				t.Errorf("field %s = %v, want %v", f.Name, got, want)
			}
			continue
		}
		if f.Name == "imap" {
			e := got.(connectors.MapEntries)
			if len(e) != 1 || e[0].Key != int32(7) || e[0].Value.(*connectors.Struct).String() != "Struct{id=1,tag=t}" {
				t.Errorf("imap = %v", got)
			}
			continue
		}
		if !connectors.ValuesEqual(got, want) {
			t.Errorf("field %s = %#v, want %#v", f.Name, got, want)
		}
	}
}

func TestErrors(t *testing.T) {
	reg := srtest.StandIn(t)
	c := newConverter(t, reg.URL(), map[string]string{"auto.register.schemas": "false"})
	s, v := record()
	if _, err := c.FromConnect(context.Background(), "t", s, v); !errors.Is(err, schemaregistry.ErrNotRegistered) || !strings.Contains(err.Error(), `"t-value"`) {
		t.Errorf("auto.register.schemas=false: %v", err)
	}
	on := newConverter(t, reg.URL(), nil)
	if _, err := on.FromConnect(context.Background(), "t", connectors.StringSchema, "x"); !errors.Is(err, connectors.ErrData) {
		t.Errorf("non-struct: %v", err)
	}
	arr := connectors.StructBuilder().Field("a", connectors.ArrayOf(connectors.OptionalInt32Schema).MustBuild()).MustBuild()
	if _, err := on.FromConnect(context.Background(), "t", arr, connectors.NewStruct(arr).MustPut("a", []any{nil})); !errors.Is(err, connectors.ErrData) {
		t.Errorf("null array element: %v", err)
	}
	if b, err := on.FromConnect(context.Background(), "t", s, nil); b != nil || err != nil {
		t.Errorf("tombstone: %v %v", b, err)
	}
}

// sameName: a nested message's full name includes its parent's
// (com.example.All.Inner for com.example.Inner).
func sameName(read, written string) bool {
	if read == written {
		return true
	}
	i := strings.LastIndexByte(written, '.')
	return written != "" && strings.HasSuffix(read, "."+written[i+1:])
}

// TestEncodingIsCanonical checks the hand-written encoder against Go's
// protobuf library: parsing ferry's bytes into a dynamic message and
// marshalling it deterministically gives the same bytes back, for records
// full of zero values, negatives, -0.0, empty strings, lists and maps.
func TestEncodingIsCanonical(t *testing.T) {
	s, full := record()
	zero := connectors.NewStruct(s)
	for i, f := range s.Fields {
		zero.Set(i, zeroOf(f.Schema))
	}
	zero.Set(s.Field("f64").Index, math.Copysign(0, -1))
	for _, v := range []*connectors.Struct{full, zero} {
		w, err := (&Converter{writers: map[*connectors.Schema]*writer{}}).writerFor(s)
		if err != nil {
			t.Fatal(err)
		}
		b, err := appendMessage(nil, w.md, s, v)
		if err != nil {
			t.Fatal(err)
		}
		m := dynamicpb.NewMessage(w.md)
		if err := proto.Unmarshal(b, m); err != nil {
			t.Fatal(err)
		}
		again, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, b) {
			t.Errorf("ferry %x\nproto %x", b, again)
		}
	}
}

func zeroOf(s *connectors.Schema) any {
	switch s.Name {
	case connectors.DecimalName:
		scale, _ := connectors.DecimalScale(s)
		return connectors.Decimal{Unscaled: new(big.Int), Scale: scale}
	case connectors.DateName, connectors.TimeName, connectors.TimestampName:
		return time.Unix(0, 0).UTC()
	}
	switch s.Type {
	case connectors.TypeInt8:
		return int8(0)
	case connectors.TypeInt16:
		return int16(0)
	case connectors.TypeInt32:
		return int32(0)
	case connectors.TypeInt64:
		return int64(0)
	case connectors.TypeFloat32:
		return float32(0)
	case connectors.TypeFloat64:
		return 0.0
	case connectors.TypeBoolean:
		return false
	case connectors.TypeString:
		return ""
	case connectors.TypeBytes:
		return []byte{}
	case connectors.TypeArray:
		return []any{}
	case connectors.TypeMap:
		if s.KeySchema.Type == connectors.TypeString {
			return map[string]any{}
		}
		return connectors.MapEntries{}
	case connectors.TypeStruct:
		st := connectors.NewStruct(s)
		for i, f := range s.Fields {
			st.Set(i, zeroOf(f.Schema))
		}
		return st
	}
	return nil
}

// TestReadNonCanonical reads bytes Go's encoder would not write: fields out
// of order, an unpacked repeated field, an unknown field, a repeated scalar
// (the last wins), and absent fields (their zero values).
func TestReadNonCanonical(t *testing.T) {
	s := connectors.StructBuilder().Name("p.M").
		Field("a", connectors.OptionalInt32Schema).
		Field("list", connectors.ArrayOf(connectors.Int64Schema).Optional().MustBuild()).
		Field("s", connectors.OptionalStringSchema).
		Field("m", connectors.MapOf(connectors.StringSchema, connectors.Int64Schema).Optional().MustBuild()).MustBuild()
	fd, err := compile("syntax = \"proto3\";\npackage p;\nmessage M {\n  int32 a = 1;\n  repeated int64 list = 2;\n  string s = 3;\n  map<string, int64> m = 4;\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	md := fd.Messages().Get(0)
	rs, err := toConnect(md, false)
	if err != nil || !connectors.Equal(rs, s) {
		t.Fatalf("schema %+v %v", rs, err)
	}
	var b []byte
	b = protowire.AppendVarint(protowire.AppendTag(b, 2, protowire.VarintType), 5) // unpacked
	b = protowire.AppendVarint(protowire.AppendTag(b, 1, protowire.VarintType), 7)
	b = protowire.AppendString(protowire.AppendTag(b, 99, protowire.BytesType), "unknown")
	b = protowire.AppendVarint(protowire.AppendTag(b, 2, protowire.VarintType), 6)
	b = protowire.AppendVarint(protowire.AppendTag(b, 1, protowire.VarintType), uint64(1<<64-2)) // -2, last wins
	st, err := readMessage(b, md, rs)
	if err != nil {
		t.Fatal(err)
	}
	want := connectors.NewStruct(rs).MustPut("a", int32(-2)).MustPut("list", []any{int64(5), int64(6)}).
		MustPut("s", "").MustPut("m", map[string]any{})
	if !st.Equal(want) {
		t.Errorf("read %v, want %v", st, want)
	}
	if _, err := readMessage([]byte{0x08}, md, rs); !errors.Is(err, connectors.ErrData) {
		t.Errorf("truncated varint: %v", err)
	}
}

// TestMessageIndexes resolves the wire format's message indexes against a
// file with several top-level and nested messages.
func TestMessageIndexes(t *testing.T) {
	fd, err := compile("syntax = \"proto3\";\npackage p;\nmessage A { int32 a = 1; }\nmessage B {\n  message C { string c = 1; }\n  message D { bool d = 1; }\n  int64 b = 1;\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		index []int
		want  string
	}{{[]int{0}, "p.A"}, {[]int{1}, "p.B"}, {[]int{1, 0}, "p.B.C"}, {[]int{1, 1}, "p.B.D"}} {
		md, err := messageAt(fd, tc.index)
		if err != nil || string(md.FullName()) != tc.want {
			t.Errorf("messageAt(%v) = %v, %v; want %s", tc.index, md.FullName(), err, tc.want)
		}
	}
	if _, err := messageAt(fd, []int{2}); !errors.Is(err, connectors.ErrData) {
		t.Errorf("index out of range: %v", err)
	}
	// A record written with index [1, 1] reads as p.B.D.
	reg := srtest.StandIn(t)
	id, _, err := reg.RegisterSchema("t-value", sr.Schema{Type: sr.TypeProtobuf, Schema: "syntax = \"proto3\";\npackage p;\nmessage A { int32 a = 1; }\nmessage B {\n  message C { string c = 1; }\n  message D { bool d = 1; }\n  int64 b = 1;\n}\n"})
	if err != nil {
		t.Fatal(err)
	}
	data := append(schemaregistry.AppendHeader(nil, id, []int{1, 1}), 0x08, 0x01)
	s, v, err := newConverter(t, reg.URL(), nil).ToConnect(context.Background(), "t", data)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "p.B.D" || v.(*connectors.Struct).String() != "Struct{d=true}" {
		t.Errorf("read %s %v", s.Name, v)
	}
}
