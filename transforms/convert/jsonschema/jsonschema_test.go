package jsonschema

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry/srtest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func newConverter(t testing.TB, url string, isKey bool, props map[string]string) *Converter {
	p := map[string]string{"schema.registry.url": url}
	for k, v := range props {
		p[k] = v
	}
	c, err := New(p, isKey)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGoldenWireFormat checks the registered JSON Schema and the wire bytes
// (header, then the JSON payload) of every matrix case; each case runs in a
// fresh stand-in registry so that its id is 1.
func TestGoldenWireFormat(t *testing.T) {
	var got strings.Builder
	for _, tc := range srtest.Matrix() {
		reg := srtest.StandIn(t)
		c := newConverter(t, reg.URL(), false, nil)
		b, err := c.FromConnect(context.Background(), "orders", tc.Schema, tc.Value)
		if err != nil {
			t.Fatalf("%s: %v", tc.Name, err)
		}
		ss, ok := reg.GetSchema("orders-value", 1)
		if !ok {
			t.Fatalf("%s: nothing registered under orders-value", tc.Name)
		}
		got.WriteString("# " + tc.Name + "\n" + ss.Schema.Schema + "\n" + hex.EncodeToString(b[:5]) + " " + string(b[5:]) + "\n")
	}
	path := filepath.Join("testdata", "jsonschema.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got.String() != string(want) {
		t.Errorf("wire format differs from %s (go test -update rewrites it):\n%s", path, got.String())
	}
}

func TestRoundTrip(t *testing.T) {
	reg := srtest.StandIn(t)
	c := newConverter(t, reg.URL(), false, nil)
	for _, tc := range srtest.Matrix() {
		t.Run(tc.Name, func(t *testing.T) {
			b, err := c.FromConnect(context.Background(), "rt", tc.Schema, tc.Value)
			if err != nil {
				t.Fatal(err)
			}
			s, v, err := c.ToConnect(context.Background(), "rt", b)
			if err != nil {
				t.Fatal(err)
			}
			if tc.Schema.Type == connectors.TypeStruct && tc.Schema.Version == nil {
				if s.Version == nil {
					t.Fatal("struct read back without the registry version")
				}
				cp := *s
				cp.Version = nil
				s = &cp
				st := v.(*connectors.Struct)
				out := connectors.NewStruct(tc.Schema)
				for i := range tc.Schema.Fields {
					out.Set(i, st.At(i))
				}
				v = out
			}
			if !connectors.Equal(s, tc.Schema) {
				t.Fatalf("schema\n got %+v\nwant %+v", s, tc.Schema)
			}
			if !connectors.ValuesEqual(v, tc.Value) {
				t.Fatalf("value\n got %v\nwant %v", v, tc.Value)
			}
		})
	}
}

func TestSubjectsAndErrors(t *testing.T) {
	person := connectors.StructBuilder().Name("com.example.Person").Field("name", connectors.StringSchema).MustBuild()
	v := connectors.NewStruct(person).MustPut("name", "a")
	reg := srtest.StandIn(t)
	off := newConverter(t, reg.URL(), false, map[string]string{"auto.register.schemas": "false"})
	if _, err := off.FromConnect(context.Background(), "people", person, v); !errors.Is(err, schemaregistry.ErrNotRegistered) || !strings.Contains(err.Error(), `"people-value"`) {
		t.Fatalf("auto.register.schemas=false: %v", err)
	}
	rec := newConverter(t, reg.URL(), true, map[string]string{"key.subject.name.strategy": "RecordNameStrategy"})
	if _, err := rec.FromConnect(context.Background(), "people", person, v); err != nil {
		t.Fatal(err)
	}
	if !reg.SubjectExists("com.example.Person") {
		t.Error("RecordNameStrategy did not register com.example.Person")
	}
	if _, err := rec.FromConnect(context.Background(), "people", connectors.StringSchema, "untitled"); !errors.Is(err, schemaregistry.ErrNoRecordName) {
		t.Errorf("RecordNameStrategy with an unnamed schema: %v", err)
	}
	if b, err := rec.FromConnect(context.Background(), "people", connectors.OptionalStringSchema, nil); b != nil || err != nil {
		t.Errorf("tombstone: %v %v", b, err)
	}
	if _, err := rec.FromConnect(context.Background(), "people", nil, map[string]any{}); !errors.Is(err, connectors.ErrData) {
		t.Errorf("schemaless: %v", err)
	}
	if _, _, err := rec.ToConnect(context.Background(), "people", []byte("{}")); !errors.Is(err, schemaregistry.ErrWireFormat) {
		t.Errorf("plain JSON: %v", err)
	}
}

// TestPlainJSONSchema reads a JSON Schema no Connect converter wrote: type
// lists, no connect.* annotations, properties without connect.index.
func TestPlainJSONSchema(t *testing.T) {
	reg := srtest.StandIn(t)
	doc := `{"$schema":"http://json-schema.org/draft-07/schema#","title":"com.example.Plain","type":"object",` +
		`"properties":{"b":{"type":["null","string"]},"a":{"type":"integer"},"n":{"type":"number"},"tags":{"type":"array","items":{"type":"string"}}},"required":["a"]}`
	id, _, err := reg.RegisterSchema("t-value", sr.Schema{Type: sr.TypeJSON, Schema: doc})
	if err != nil {
		t.Fatal(err)
	}
	data := append(schemaregistry.AppendHeader(nil, id, nil), `{"a":7,"b":null,"n":2.5,"tags":["x"]}`...)
	s, v, err := newConverter(t, reg.URL(), false, nil).ToConnect(context.Background(), "t", data)
	if err != nil {
		t.Fatal(err)
	}
	want := "Struct{a=7,n=2.5,tags=[x]}"
	if got := v.(*connectors.Struct).String(); got != want || s.Name != "com.example.Plain" || !s.Field("b").Schema.Optional || s.Fields[0].Name != "a" || s.Field("a").Schema.Type != connectors.TypeInt64 {
		t.Errorf("read %s %+v, want %s", got, s, want)
	}
}
