//go:build integration

package jsonschema

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry/srtest"
)

// TestRealRegistryRoundTrip registers every matrix schema as a JSON Schema in
// the real registry (`localstack/up schema-registry`) and reads every record
// back with a fresh converter, which fetches the schema by id.
func TestRealRegistryRoundTrip(t *testing.T) {
	url := os.Getenv("SCHEMA_REGISTRY_URL")
	if url == "" {
		t.Fatal("SCHEMA_REGISTRY_URL is not set: run eval \"$(localstack/up schema-registry)\"")
	}
	topic := fmt.Sprintf("ferry-jsonschema-%d", time.Now().UnixNano())
	writer := newConverter(t, url, false, nil)
	for _, tc := range srtest.Matrix() {
		t.Run(tc.Name, func(t *testing.T) {
			b, err := writer.FromConnect(context.Background(), topic, tc.Schema, tc.Value)
			if err != nil {
				t.Fatal(err)
			}
			id, _, err := schemaregistry.SplitHeader(b)
			if err != nil || id <= 0 {
				t.Fatalf("header: id %d, %v", id, err)
			}
			reader := newConverter(t, url, false, map[string]string{"auto.register.schemas": "false"})
			s, v, err := reader.ToConnect(context.Background(), topic, b)
			if err != nil {
				t.Fatal(err)
			}
			if tc.Schema.Type == connectors.TypeStruct && tc.Schema.Version == nil {
				if s.Version == nil {
					t.Error("struct read back without the registry version")
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
			if !connectors.Equal(s, tc.Schema) || !connectors.ValuesEqual(v, tc.Value) {
				t.Errorf("read back\n schema %+v\n value %v", s, v)
			}
			// The same schema is found by lookup when auto-registration is off.
			if _, err := reader.FromConnect(context.Background(), topic, tc.Schema, tc.Value); err != nil {
				t.Errorf("lookup of the registered schema: %v", err)
			}
		})
	}
}
