package state

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// keyCases are encoded into testdata/offset_keys.golden, one line each:
// name, key bytes and value bytes separated by tabs.
var keyCases = []struct {
	name      string
	connector string
	partition map[string]any
	offset    map[string]any
}{
	{"file source", "my-conn", map[string]any{"filename": "/tmp/a.txt"}, map[string]any{"position": int64(42)}},
	{"sorted keys", "jdbc", map[string]any{"table": "orders", "protocol": "1", "schema": "public"},
		map[string]any{"timestamp_nanos": int64(0), "incrementing": int64(17), "timestamp": int64(1714564800000)}},
	{"html characters kept", "a&b", map[string]any{"url": "http://x/?a=1&b=<2>"}, map[string]any{"etag": "<\"q\">"}},
	{"unicode and escapes", "ünï", map[string]any{"path": "C:\\dir\\ñ\t\"q\""}, map[string]any{"line": "a\nb"}},
	{"primitive types", "types", map[string]any{"i": 1, "i8": int8(-2), "b": true, "n": nil},
		map[string]any{"f": 1.5, "f32": float32(0.25), "big": int64(1) << 62}},
	{"empty partition", "e", map[string]any{}, map[string]any{}},
	{"tombstone", "t", map[string]any{"k": "v"}, nil},
}

func TestOffsetKeyExample(t *testing.T) {
	got, err := OffsetKey("my-conn", map[string]any{"filename": "/tmp/a.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `["my-conn",{"filename":"/tmp/a.txt"}]`; string(got) != want {
		t.Fatalf("OffsetKey = %s, want %s", got, want)
	}
}

func TestOffsetKeyGolden(t *testing.T) {
	var out bytes.Buffer
	for _, c := range keyCases {
		key, err := OffsetKey(c.connector, c.partition)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		value, err := OffsetValue(c.offset)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		fmt.Fprintf(&out, "%s\t%s\t%s\n", c.name, key, value)
	}
	golden := filepath.Join("testdata", "offset_keys.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if out.String() != string(want) {
		t.Fatalf("encoded keys:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestOffsetRoundTrip decodes what was encoded; integers come back as int64
// and other numbers as float64, as Kafka Connect's JSON converter gives them.
func TestOffsetRoundTrip(t *testing.T) {
	normal := func(m map[string]any) map[string]any {
		if m == nil {
			return nil
		}
		out := map[string]any{}
		for k, v := range m {
			switch n := v.(type) {
			case int:
				v = int64(n)
			case int8:
				v = int64(n)
			case float32:
				v = float64(n)
			}
			out[k] = v
		}
		return out
	}
	for _, c := range keyCases {
		t.Run(c.name, func(t *testing.T) {
			key, _ := OffsetKey(c.connector, c.partition)
			conn, partition, ok := DecodeOffsetKey(key)
			if !ok || conn != c.connector || !reflect.DeepEqual(partition, normal(c.partition)) {
				t.Fatalf("DecodeOffsetKey(%s) = %q %#v %v", key, conn, partition, ok)
			}
			value, _ := OffsetValue(c.offset)
			offset, err := DecodeOffsetValue(value)
			if err != nil || !reflect.DeepEqual(offset, normal(c.offset)) {
				t.Fatalf("DecodeOffsetValue(%s) = %#v, %v", value, offset, err)
			}
		})
	}
}

func TestDecodeOffsetKeySkipsForeignKeys(t *testing.T) {
	tests := []string{
		``, `null`, `{}`, `[]`, `["a"]`, `["a",{"x":1},3]`, `[1,{"x":1}]`, `["a",null]`, `["a",[1]]`, `["a","x"]`, `not json`,
	}
	for _, key := range tests {
		if _, _, ok := DecodeOffsetKey([]byte(key)); ok {
			t.Errorf("DecodeOffsetKey(%s) accepted a key Kafka Connect skips", key)
		}
	}
}

func TestOffsetKeyRejectsNonPrimitives(t *testing.T) {
	tests := []map[string]any{
		{"nested": map[string]any{"x": 1}},
		{"list": []any{1, 2}},
		{"bytes": []byte("x")},
		{"uint": uint(1)},
	}
	for _, p := range tests {
		_, err := OffsetKey("c", p)
		if err == nil || !strings.Contains(err.Error(), "Offsets may only contain primitive types") {
			t.Errorf("OffsetKey(%v) = %v, want Kafka Connect's primitive-types error", p, err)
		}
		if _, err := OffsetValue(p); err == nil {
			t.Errorf("OffsetValue(%v) accepted a non-primitive", p)
		}
	}
}
