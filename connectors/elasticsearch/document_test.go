package elasticsearch

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

func TestDocID(t *testing.T) {
	cases := []struct {
		key     any
		ignore  bool
		want    string
		wantErr bool
	}{
		{nil, true, "orders+2+17", false},
		{"k1", false, "k1", false},
		{int64(42), false, "42", false},
		{true, false, "true", false},
		{nil, false, "", true},
		{[]byte("x"), false, "", true},
		{map[string]any{"a": 1}, false, "", true},
	}
	for _, c := range cases {
		got, err := docID(&connectors.Record{Topic: "orders", Partition: 2, Offset: 17, Key: c.key}, c.ignore)
		if got != c.want || (err != nil) != c.wantErr || (err != nil && !errors.Is(err, ErrDocument)) {
			t.Errorf("key %v ignore %v: got %q, %v", c.key, c.ignore, got, err)
		}
	}
}

func TestWithTimestamp(t *testing.T) {
	cases := []struct{ doc, want string }{
		{`{"a":1}`, `{"@timestamp":5,"a":1}`},
		{`{}`, `{"@timestamp":5}`},
		{`{"@timestamp":1,"a":1}`, `{"@timestamp":1,"a":1}`},
	}
	for _, c := range cases {
		got, err := withTimestamp([]byte(c.doc), int64(5))
		if err != nil || string(got) != c.want {
			t.Errorf("%s: got %s, %v; want %s", c.doc, got, err, c.want)
		}
	}
	if _, err := withTimestamp([]byte(`[1]`), 5); !errors.Is(err, ErrDocument) {
		t.Errorf("array document: got %v", err)
	}
}

// The mapping built from a schema, as Confluent's Mapping.buildMapping.
func TestMappingGolden(t *testing.T) {
	addr := connectors.StructBuilder().Field("city", connectors.StringSchema).MustBuild()
	s := connectors.StructBuilder().Field("id", connectors.Int64Schema).Field("small", connectors.Int8Schema).
		Field("ok", connectors.BooleanSchema).Field("price", connectors.DecimalSchema(2).MustBuild()).
		Field("at", connectors.TimestampSchema().MustBuild()).Field("raw", connectors.BytesSchema).
		Field("tags", connectors.ArrayOf(connectors.StringSchema).MustBuild()).Field("addr", addr).MustBuild()
	got, _ := json.MarshalIndent(mapping(s), "", "  ")
	golden(t, "testdata/mapping.golden.json", append(got, '\n'))
}

// golden compares got with the file at path (written first with UPDATE_GOLDEN=1).
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		os.WriteFile(path, got, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s differs (%v):\n%q", path, err, got)
	}
}

func TestConfigCheck(t *testing.T) {
	cases := []struct {
		props map[string]string
		key   string
	}{
		{map[string]string{"data.stream.type": "LOGS"}, "data.stream.dataset"},
		{map[string]string{"data.stream.dataset": "x"}, "data.stream.type"},
		{map[string]string{"data.stream.type": "logs", "data.stream.dataset": "x", "write.method": "upsert"}, "write.method"},
		{map[string]string{"connection.url": "localhost:9200"}, "connection.url"},
		{map[string]string{"behavior.on.null.values": "explode"}, "behavior.on.null.values"},
	}
	for _, c := range cases {
		props := map[string]string{"connection.url": "http://localhost:9200"}
		for k, v := range c.props {
			props[k] = v
		}
		_, err := parse(props)
		var errs connectors.ConfigErrors
		if !errors.As(err, &errs) || errs[0].Key != c.key {
			t.Errorf("%v: got %v, want an error on %s", c.props, err, c.key)
		}
	}
}
