package avro

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry/srtest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// newStandIn is the stand-in registry of the unit tests (see srtest.StandIn).
func newStandIn(t testing.TB) *srfake.Registry { return srtest.StandIn(t) }

type testCase = srtest.Case

func matrix() []testCase { return srtest.Matrix() }

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

// TestGoldenWireFormat checks the registered schema text and the wire bytes
// of every matrix case (each case in a fresh registry, so its schema id is 1).
func TestGoldenWireFormat(t *testing.T) {
	var got strings.Builder
	for _, tc := range matrix() {
		reg := newStandIn(t)
		c := newConverter(t, reg.URL(), false, nil)
		b, err := c.FromConnect(context.Background(), "orders", tc.Schema, tc.Value)
		if err != nil {
			t.Fatalf("%s: %v", tc.Name, err)
		}
		ss, ok := reg.GetSchema("orders-value", 1)
		if !ok {
			t.Fatalf("%s: nothing registered under orders-value", tc.Name)
		}
		got.WriteString("# " + tc.Name + "\n" + ss.Schema.Schema + "\n" + hex.EncodeToString(b) + "\n")
	}
	path := filepath.Join("testdata", "avro.golden")
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
	reg := newStandIn(t)
	c := newConverter(t, reg.URL(), false, nil)
	for _, tc := range matrix() {
		t.Run(tc.Name, func(t *testing.T) {
			b, err := c.FromConnect(context.Background(), "rt", tc.Schema, tc.Value)
			if err != nil {
				t.Fatal(err)
			}
			if b[0] != 0 {
				t.Fatalf("magic byte %d", b[0])
			}
			s, v, err := c.ToConnect(context.Background(), "rt", b)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.Schema
			if tc.Schema.Type == connectors.TypeStruct && tc.Schema.Version == nil {
				if s.Version == nil || *s.Version < 1 {
					t.Fatalf("struct read back without the registry version")
				}
				s = withoutVersion(s)
			}
			if !connectors.Equal(s, want) {
				t.Fatalf("schema\n got %+v\nwant %+v", s, want)
			}
			if st, ok := v.(*connectors.Struct); ok {
				v = rebind(t, st, want)
			}
			wantV := tc.Value
			if !connectors.ValuesEqual(v, wantV) {
				t.Fatalf("value\n got %v\nwant %v", v, wantV)
			}
		})
	}
}

func withoutVersion(s *connectors.Schema) *connectors.Schema {
	cp := *s
	cp.Version = nil
	return &cp
}

// rebind copies a struct read back onto the original schema (the read schema
// differs only by the registry version).
func rebind(t *testing.T, st *connectors.Struct, s *connectors.Schema) *connectors.Struct {
	out := connectors.NewStruct(s)
	for i := range s.Fields {
		out.Set(i, st.At(i))
	}
	return out
}

func TestTombstoneAndSchemaless(t *testing.T) {
	reg := newStandIn(t)
	c := newConverter(t, reg.URL(), false, nil)
	if b, err := c.FromConnect(context.Background(), "t", connectors.OptionalStringSchema, nil); b != nil || err != nil {
		t.Errorf("null value: %v %v", b, err)
	}
	if s, v, err := c.ToConnect(context.Background(), "t", nil); s != nil || v != nil || err != nil {
		t.Errorf("null bytes: %v %v %v", s, v, err)
	}
	if _, err := c.FromConnect(context.Background(), "t", nil, "x"); !errors.Is(err, connectors.ErrData) {
		t.Errorf("schemaless: %v", err)
	}
	if _, _, err := c.ToConnect(context.Background(), "t", []byte{1, 0, 0, 0, 1, 2}); !errors.Is(err, schemaregistry.ErrWireFormat) || !errors.Is(err, connectors.ErrData) {
		t.Errorf("bad magic: %v", err)
	}
	if _, _, err := c.ToConnect(context.Background(), "t", []byte{0, 0, 0, 0, 99, 2}); !errors.Is(err, schemaregistry.ErrRegistry) {
		t.Errorf("unknown id: %v", err)
	}
}

// srfakeWithAuth is the stand-in registry requiring HTTP basic auth.
func srfakeWithAuth(t testing.TB, user, pass string) *srfake.Registry {
	reg := srfake.New(srfake.WithAuth("Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))))
	t.Cleanup(reg.Close)
	return reg
}

// TestConcurrentUse shares one converter between goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	reg := newStandIn(t)
	c := newConverter(t, reg.URL(), false, nil)
	cases := matrix()
	done := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 20; i++ {
				tc := cases[(g+i)%len(cases)]
				b, err := c.FromConnect(context.Background(), "conc", tc.Schema, tc.Value)
				if err == nil {
					_, _, err = c.ToConnect(context.Background(), "conc", b)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
