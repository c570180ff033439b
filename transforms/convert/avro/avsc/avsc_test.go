package avsc

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ schema, err string }{
		{`{"type":"record","name":"1R","fields":[]}`, `invalid name "1R"`},
		{`{"type":"record","name":"a.b-c.R","fields":[]}`, `invalid name "b-c"`},
		{`{"type":"record","name":"R"}`, "record must have an array of fields"},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"long"}]}`, `duplicate field name "a"`},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"Nope"}]}`, "unknown type: Nope"},
		{`{"type":"record","name":"R","fields":[{"name":"a"}]}`, "field requires a type"},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}`, "invalid default for field a"},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":2147483648}]}`, "invalid default for field a"},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":1}]}`, "invalid default for field a"},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"E","symbols":["A"]}},{"name":"b","type":{"type":"enum","name":"E","symbols":["B"]}}]}`, "redefined named type: E"},
		{`{"type":"enum","name":"E","symbols":["A","A"]}`, "has the symbol A twice"},
		{`{"type":"enum","name":"E","symbols":[]}`, "non-empty array of symbols"},
		{`{"type":"enum","name":"E","symbols":["A"],"default":"B"}`, "default B is not one of its symbols"},
		{`{"type":"fixed","name":"F"}`, "fixed F must have a size"},
		{`{"type":"array"}`, "array must have an items key"},
		{`{"type":"map"}`, "map must have a values key"},
		{`["int",["long"]]`, "union type cannot be a union"},
		{`["int","int"]`, "union type int is duplicate"},
		{`{"type":"record","fields":[]}`, "non-empty name key required"},
		{`{"type":"int"} {}`, "data after the JSON value"},
		{strings.Repeat("[", 300) + `"int"` + strings.Repeat("]", 300), "nested deeper"},
	} {
		if _, err := Parse(tc.schema); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Parse(%s) = %v, want an error containing %q", tc.schema, err, tc.err)
		}
	}
}

func TestParseNamesAndReferences(t *testing.T) {
	s, err := Parse(`{"type":"record","name":"R","namespace":"a.b","doc":"d","connect.version":3,"fields":[
		{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}},
		{"name":"e2","type":"E"},
		{"name":"f","type":{"type":"fixed","name":"c.F","size":2}},
		{"name":"f2","type":["null","c.F"]},
		{"name":"g","type":{"type":"record","name":"G","namespace":"","fields":[]}},
		{"name":"self","type":["null","R"],"default":null}]}`)
	if err != nil {
		t.Fatal(err)
	}
	r := s.(*RecordSchema)
	if r.FullName() != "a.b.R" || r.Name() != "R" || r.Doc() != "d" || r.Prop("connect.version") != float64(3) {
		t.Fatalf("record %q %q %q %v", r.FullName(), r.Name(), r.Doc(), r.Prop("connect.version"))
	}
	fs := r.Fields()
	if e := fs[0].Type().(*EnumSchema); e.FullName() != "a.b.E" || !reflect.DeepEqual(e.Symbols(), []string{"X", "Y"}) {
		t.Errorf("enum %s %v", e.FullName(), e.Symbols())
	}
	if ref, ok := fs[1].Type().(*RefSchema); !ok || ref.Schema() != fs[0].Type() {
		t.Errorf("e2 = %#v, want a reference to E", fs[1].Type())
	}
	if f := fs[2].Type().(*FixedSchema); f.FullName() != "c.F" || f.Size() != 2 {
		t.Errorf("fixed %s %d", f.FullName(), f.Size())
	}
	u := fs[3].Type().(*UnionSchema)
	if n, v := u.Indices(); !u.Nullable() || n != 0 || v != 1 || u.Types()[1].(*RefSchema).Schema().FullName() != "c.F" {
		t.Errorf("union %v", u.Types())
	}
	if g := fs[4].Type().(*RecordSchema); g.FullName() != "G" {
		t.Errorf("record in the null namespace: %s", g.FullName())
	}
	if ref := fs[5].Type().(*UnionSchema).Types()[1].(*RefSchema); ref.Schema() != r || !fs[5].HasDefault() || fs[5].Default() != nil {
		t.Errorf("recursive reference %v, default %v %v", ref.Schema(), fs[5].HasDefault(), fs[5].Default())
	}
}

func TestDefaultsAndLogicalTypes(t *testing.T) {
	s, err := Parse(`{"type":"record","name":"R","fields":[
		{"name":"i","type":"int","default":7},
		{"name":"l","type":"long","default":9007199254740993},
		{"name":"f","type":"float","default":1.5},
		{"name":"d","type":"double","default":2},
		{"name":"b","type":"bytes","default":"\u00ff\u0001"},
		{"name":"a","type":{"type":"array","items":"int"},"default":[1,2]},
		{"name":"m","type":{"type":"map","values":"string"},"default":{"k":"v"}},
		{"name":"r","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int","default":1},{"name":"y","type":"string"}]},"default":{"y":"z"}},
		{"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":5,"scale":2}},
		{"name":"badDec","type":{"type":"bytes","logicalType":"decimal","precision":2,"scale":3}},
		{"name":"fdec","type":{"type":"fixed","name":"FD","size":2,"logicalType":"decimal","precision":4}},
		{"name":"bigFdec","type":{"type":"fixed","name":"FD2","size":2,"logicalType":"decimal","precision":5}},
		{"name":"day","type":{"type":"int","logicalType":"date"}},
		{"name":"longDay","type":{"type":"long","logicalType":"date","connect.type":"x"}},
		{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	fs := s.(*RecordSchema).Fields()
	want := []any{7, int64(9007199254740993), float32(1.5), float64(2), []byte{0xff, 1}, []any{1, 2}, map[string]any{"k": "v"},
		map[string]any{"x": 1, "y": "z"}}
	for i, w := range want {
		if got := fs[i].Default(); !fs[i].HasDefault() || !reflect.DeepEqual(got, w) {
			t.Errorf("field %s default %#v, want %#v", fs[i].Name(), got, w)
		}
	}
	if d, ok := fs[8].Type().(*PrimitiveSchema).Logical().(*DecimalLogicalSchema); !ok || d.Precision() != 5 || d.Scale() != 2 {
		t.Errorf("decimal %#v", fs[8].Type().(*PrimitiveSchema).Logical())
	}
	for _, i := range []int{9, 11, 13} { // invalid: ignored
		var l LogicalSchema
		switch s := fs[i].Type().(type) {
		case *PrimitiveSchema:
			l = s.Logical()
		case *FixedSchema:
			l = s.Logical()
		}
		if l != nil {
			t.Errorf("field %s: logical type %#v, want none", fs[i].Name(), l)
		}
	}
	if d, ok := fs[10].Type().(*FixedSchema).Logical().(*DecimalLogicalSchema); !ok || d.Precision() != 4 || d.Scale() != 0 {
		t.Errorf("fixed decimal %#v", fs[10].Type().(*FixedSchema).Logical())
	}
	if l := fs[12].Type().(*PrimitiveSchema).Logical(); l == nil || l.Type() != Date {
		t.Errorf("date %#v", l)
	}
	if p := fs[13].Type().(*PrimitiveSchema); p.Prop("connect.type") != "x" || p.Type() != Long {
		t.Errorf("long with props: %v %v", p.Type(), p.Prop("connect.type"))
	}
	if l := fs[14].Type().(*PrimitiveSchema).Logical(); l == nil || l.Type() != TimestampMillis {
		t.Errorf("timestamp-millis %#v", l)
	}
}

// TestCanonicalForm: the specification's transformations (PRIMITIVES,
// FULLNAMES, STRIP, ORDER, INTEGERS, WHITESPACE, a named type by name after
// its first use).
func TestCanonicalForm(t *testing.T) {
	for _, tc := range []struct{ schema, want string }{
		{`"int"`, `"int"`},
		{`{"type":"long","logicalType":"timestamp-millis","connect.name":"x"}`, `"long"`},
		{`int`, `"int"`},
		{`[ "null", {"type" : "string"} ]`, `["null","string"]`},
		{`{"fields":[{"type":"int","name":"a","doc":"d","default":1}],"name":"R","namespace":"n.s","type":"record","doc":"x","aliases":["Q"]}`,
			`{"name":"n.s.R","type":"record","fields":[{"name":"a","type":"int"}]}`},
		{`{"type":"fixed","size":16,"name":"F","logicalType":"decimal","precision":3}`, `{"name":"F","type":"fixed","size":16}`},
		{`{"type":"record","name":"R","namespace":"a","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"],"doc":"d"}},{"name":"m","type":{"type":"map","values":{"type":"array","items":"E"}}},{"name":"r","type":["null","R"]}]}`,
			`{"name":"a.R","type":"record","fields":[{"name":"e","type":{"name":"a.E","type":"enum","symbols":["X","Y"]}},{"name":"m","type":{"type":"map","values":{"type":"array","items":"a.E"}}},{"name":"r","type":["null","a.R"]}]}`},
	} {
		s, err := Parse(tc.schema)
		if err != nil {
			t.Errorf("Parse(%s): %v", tc.schema, err)
			continue
		}
		if got := s.String(); got != tc.want {
			t.Errorf("canonical form of %s:\n%s\nwant\n%s", tc.schema, got, tc.want)
		}
	}
	a, _ := Parse(`{"type":"record","name":"R","doc":"one","fields":[{"name":"a","type":"int"}]}`)
	b, _ := Parse(`{"name":"R","type":"record","fields":[{"name":"a","type":{"type":"int"},"default":3}]}`)
	c, _ := Parse(`{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}`)
	if a.Fingerprint() != b.Fingerprint() || a.Fingerprint() == c.Fingerprint() {
		t.Errorf("fingerprints: equal schemas %v, different schemas %v", a.Fingerprint() == b.Fingerprint(), a.Fingerprint() == c.Fingerprint())
	}
}

func TestBinaryRoundTrip(t *testing.T) {
	w := NewWriter(0)
	w.WriteInt(0)
	w.WriteInt(-1)
	w.WriteInt(1)
	w.WriteInt(-64)
	w.WriteInt(64)
	if got, want := w.Buffer(), []byte{0, 1, 2, 0x7f, 0x80, 1}; !bytes.Equal(got, want) {
		t.Fatalf("zig-zag ints % x, want % x", got, want)
	}
	w.WriteInt(math.MinInt32)
	w.WriteLong(math.MaxInt64)
	w.WriteLong(math.MinInt64)
	w.WriteBool(true)
	w.WriteFloat(1.5)
	w.WriteDouble(-2.25)
	w.WriteString("héllo")
	w.WriteBytes([]byte{0, 0xff})
	_, _ = w.Write([]byte{9, 8})
	w.WriteLong(-2) // a block of 2 items with its byte size
	w.WriteLong(10)
	r := NewReader(w.Buffer())
	for _, want := range []int32{0, -1, 1, -64, 64, math.MinInt32} {
		if got := r.ReadInt(); got != want {
			t.Errorf("ReadInt = %d, want %d", got, want)
		}
	}
	if a, b := r.ReadLong(), r.ReadLong(); a != math.MaxInt64 || b != math.MinInt64 {
		t.Errorf("longs %d %d", a, b)
	}
	if !r.ReadBool() || r.ReadFloat() != 1.5 || r.ReadDouble() != -2.25 || r.ReadString() != "héllo" || !bytes.Equal(r.ReadBytes(), []byte{0, 0xff}) {
		t.Error("bool, float, double, string or bytes differ")
	}
	fixed := make([]byte, 2)
	r.Read(fixed)
	if n, size := r.ReadBlockHeader(); n != 2 || size != 10 || fixed[0] != 9 || r.Error != nil {
		t.Errorf("block %d %d, fixed % x, error %v", n, size, fixed, r.Error)
	}
}

func TestReaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		read func(*Reader)
		err  string
	}{
		{"short int", []byte{0x80}, func(r *Reader) { r.ReadInt() }, "ends inside a value"},
		{"varint too long", bytes.Repeat([]byte{0xff}, 11), func(r *Reader) { r.ReadLong() }, "varint too long"},
		{"int out of range", []byte{0xff, 0xff, 0xff, 0xff, 0x7f}, func(r *Reader) { r.ReadInt() }, "int out of range"},
		{"negative length", []byte{1}, func(r *Reader) { r.ReadString() }, "negative length -1"},
		{"length past the end", []byte{0x10, 'a'}, func(r *Reader) { r.ReadBytes() }, "ends inside a value"},
		{"short double", []byte{1, 2, 3}, func(r *Reader) { r.ReadDouble() }, "ends inside a value"},
		{"bad boolean", []byte{2}, func(r *Reader) { r.ReadBool() }, "invalid boolean byte 2"},
	} {
		r := NewReader(tc.data)
		tc.read(r)
		if r.Error == nil || !strings.Contains(r.Error.Error(), tc.err) {
			t.Errorf("%s: Error = %v, want %q", tc.name, r.Error, tc.err)
		}
		if tc.err == "ends inside a value" && !errors.Is(r.Error, ErrShort) {
			t.Errorf("%s: %v is not ErrShort", tc.name, r.Error)
		}
	}
}
