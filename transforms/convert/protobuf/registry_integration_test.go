//go:build integration

package protobuf

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry"
)

// TestRealRegistryRoundTrip registers the .proto in the real registry
// (`localstack/up schema-registry`), reads the record back with a fresh
// converter (which compiles the registry's copy of the schema), and finds the
// schema by lookup with auto-registration off.
func TestRealRegistryRoundTrip(t *testing.T) {
	url := os.Getenv("SCHEMA_REGISTRY_URL")
	if url == "" {
		t.Fatal("SCHEMA_REGISTRY_URL is not set: run eval \"$(localstack/up schema-registry)\"")
	}
	topic := fmt.Sprintf("ferry-protobuf-%d", time.Now().UnixNano())
	s, v := record()
	b, err := newConverter(t, url, nil).FromConnect(context.Background(), topic, s, v)
	if err != nil {
		t.Fatal(err)
	}
	id, rest, err := schemaregistry.SplitHeader(b)
	if err != nil || id <= 0 || rest[0] != 0 {
		t.Fatalf("header %x: %v", b[:6], err)
	}
	off := newConverter(t, url, map[string]string{"auto.register.schemas": "false"})
	rs, rv, err := off.ToConnect(context.Background(), topic, b)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Name != "com.example.All" || rs.Version == nil {
		t.Errorf("schema %s version %v", rs.Name, rs.Version)
	}
	got := rv.(*connectors.Struct).String()
	for _, want := range []string{"i8=-5", "i16=300", "dec=-123.45", "s=héllo", "inner=Struct{id=42,tag=x}"} {
		if !strings.Contains(got, want) {
			t.Errorf("read back %s, missing %s", got, want)
		}
	}
	b2, err := off.FromConnect(context.Background(), topic, s, v)
	if err != nil {
		t.Fatalf("lookup of the registered schema: %v", err)
	}
	if string(b2) != string(b) {
		t.Errorf("lookup wrote %x, registration wrote %x", b2, b)
	}
	other := fmt.Sprintf("ferry-protobuf-other-%d", time.Now().UnixNano())
	if _, err := off.FromConnect(context.Background(), other, s, v); err == nil || !strings.Contains(err.Error(), other+"-value") {
		t.Errorf("unregistered subject: %v", err)
	}
}
