//go:build integration

package avro

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry"
)

// registryURL is the real schema registry started by `localstack/up schema-registry`.
func registryURL(t *testing.T) string {
	u := os.Getenv("SCHEMA_REGISTRY_URL")
	if u == "" {
		t.Fatal("SCHEMA_REGISTRY_URL is not set: run eval \"$(localstack/up schema-registry)\"")
	}
	return u
}

// goldenPayloads reads testdata/avro.golden: case name → Avro body (the bytes
// after the 5-byte header, which carries a registry-assigned id).
func goldenPayloads(t *testing.T) map[string]string {
	f, err := os.Open(filepath.Join("testdata", "avro.golden"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var name string
	for i := 0; sc.Scan(); i++ {
		switch i % 3 {
		case 0:
			name = strings.TrimPrefix(sc.Text(), "# ")
		case 2:
			out[name] = sc.Text()[10:]
		}
	}
	return out
}

// TestRealRegistryRoundTrip writes the whole type matrix through the real
// registry, checks the Avro body against the golden bytes and the header id
// against the id the registry holds for the subject, and reads every record
// back with a fresh converter (so the writer schema comes from the registry).
func TestRealRegistryRoundTrip(t *testing.T) {
	url := registryURL(t)
	topic := fmt.Sprintf("ferry-avro-%d", time.Now().UnixNano())
	golden := goldenPayloads(t)
	writer := newConverter(t, url, false, nil)
	for _, tc := range matrix() {
		t.Run(tc.Name, func(t *testing.T) {
			b, err := writer.FromConnect(context.Background(), topic, tc.Schema, tc.Value)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(b[5:]); got != golden[tc.Name] {
				t.Errorf("Avro body %s, golden %s", got, golden[tc.Name])
			}
			id, _, err := schemaregistry.SplitHeader(b)
			if err != nil {
				t.Fatal(err)
			}
			w, _ := writer.writerFor(tc.Schema)
			latest, err := writer.reg.ID(context.Background(), topic+"-value", w.text, nil)
			if err != nil || latest != id {
				t.Errorf("registry id %d (%v), header id %d", latest, err, id)
			}
			reader := newConverter(t, url, false, nil)
			s, v, err := reader.ToConnect(context.Background(), topic, b)
			if err != nil {
				t.Fatal(err)
			}
			if tc.Schema.Type == connectors.TypeStruct && tc.Schema.Version == nil {
				if s.Version == nil {
					t.Error("struct read back without the registry version")
				}
				s = withoutVersion(s)
				v = rebind(t, v.(*connectors.Struct), tc.Schema)
			}
			if !connectors.Equal(s, tc.Schema) || !connectors.ValuesEqual(v, tc.Value) {
				t.Errorf("read back\n schema %+v\n value %v", s, v)
			}
		})
	}
}

func TestRealRegistryStrategiesAndAutoRegister(t *testing.T) {
	url := registryURL(t)
	topic := fmt.Sprintf("ferry-avro-%d", time.Now().UnixNano())
	v := connectors.NewStruct(person).MustPut("name", "ada")

	off := newConverter(t, url, false, map[string]string{"auto.register.schemas": "false"})
	_, err := off.FromConnect(context.Background(), topic, person, v)
	if !errors.Is(err, schemaregistry.ErrNotRegistered) || !strings.Contains(err.Error(), topic+"-value") {
		t.Fatalf("auto.register.schemas=false: %v", err)
	}

	rec := newConverter(t, url, false, map[string]string{
		"value.subject.name.strategy": "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"})
	b, err := rec.FromConnect(context.Background(), topic, person, v)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := rec.writerFor(person)
	lookup := newConverter(t, url, false, map[string]string{"auto.register.schemas": "false",
		"value.subject.name.strategy": "TopicRecordNameStrategy"})
	id, err := lookup.reg.ID(context.Background(), topic+"-com.example.Person", w.text, nil)
	if err != nil {
		t.Fatalf("TopicRecordNameStrategy subject not registered: %v", err)
	}
	if got, _, _ := schemaregistry.SplitHeader(b); got != id {
		t.Errorf("header id %d, registry id %d", got, id)
	}
	// Now registered under the topic subject too, the lookup succeeds.
	on := newConverter(t, url, false, nil)
	if _, err := on.FromConnect(context.Background(), topic, person, v); err != nil {
		t.Fatal(err)
	}
	if _, err := off.FromConnect(context.Background(), topic, person, v); err != nil {
		t.Errorf("lookup after registration: %v", err)
	}
}
