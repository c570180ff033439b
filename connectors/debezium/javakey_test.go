package debezium

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// debeziumInteger100 is what Debezium 3 wrote in incremental_snapshot_primary_key
// for an INT key of 100 (ObjectOutputStream of Object[]{Integer(100)}).
const debeziumInteger100 = "aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001" +
	"737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b020000787000000064"

// TestKeyCodec round-trips keys of every element type through EncodeKey and
// DecodeKey; the bytes are pinned in testdata/javakey.golden.txt, the
// Integer one as Debezium wrote it.
func TestKeyCodec(t *testing.T) {
	var golden strings.Builder
	for _, tc := range []struct {
		name string
		key  []any
	}{
		{"integer", []any{int32(100)}},
		{"two integers share the class descriptor", []any{int32(1), int32(-2)}},
		{"long and integer share Number", []any{int64(1) << 40, int32(7), int64(-1)}},
		{"strings", []any{"a'b", "é", "a'b"}},
		{"modified UTF-8: NUL and a supplementary character", []any{"a\x00b", "x😀"}},
		{"short, byte, null", []any{int16(-3), int8(4), nil}},
		{"empty", []any{}},
		{"null (a table's position before its first chunk)", nil},
	} {
		s := EncodeKey(tc.key)
		fmt.Fprintf(&golden, "%s\t%s\n", tc.name, s)
		got, err := DecodeKey(s)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !reflect.DeepEqual(got, tc.key) {
			t.Fatalf("%s: DecodeKey(EncodeKey(%v)) = %#v", tc.name, tc.key, got)
		}
	}
	if got := EncodeKey([]any{int32(100)}); got != debeziumInteger100 {
		t.Fatalf("EncodeKey(100) = %s\nDebezium wrote  %s", got, debeziumInteger100)
	}
	path := filepath.Join("testdata", "javakey.golden.txt")
	if *update {
		if err := os.WriteFile(path, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run TestKeyCodec -update writes it)", err)
	}
	if golden.String() != string(want) {
		t.Fatalf("EncodeKey's bytes differ from %s:\n%s", path, golden.String())
	}
}

func TestDecodeKeyRejects(t *testing.T) {
	for _, s := range []string{"zz", "aced0005", "aced00057071", "00000000",
		strings.Replace(debeziumInteger100, "49000576616c7565", "4c000576616c7565", 1)} { // an object field
		if _, err := DecodeKey(s); err == nil {
			t.Errorf("DecodeKey(%q) = nil error", s)
		}
	}
	for _, s := range []string{"", "aced000570"} {
		if k, err := DecodeKey(s); k != nil || err != nil {
			t.Errorf("DecodeKey(%q) = %v, %v", s, k, err)
		}
	}
}
