package mysqlcdc

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-mysql-org/go-mysql/replication"
	json "github.com/goccy/go-json"
	"github.com/shopspring/decimal"
)

var updateJSON = flag.Bool("update-json", false, "rewrite testdata/json_marshal.golden")

// TestJSONColumnMarshal pins the JSON text of MySQL JSON columns: go-mysql
// decodes a binlog JSON value into these Go values and writes them with
// github.com/goccy/go-json's Marshal, which ferry replaces (go.mod) with
// encoding/json (connectors/mysqlcdc/gojson). The golden file was written by
// goccy/go-json v0.10.2 itself, so the replacement writes its bytes.
func TestJSONColumnMarshal(t *testing.T) {
	values := []struct {
		name string
		v    any
	}{
		{"null", nil},
		{"literals", []any{true, false, nil}},
		{"integers", []any{int16(-32768), uint16(65535), int32(-2147483648), uint32(4294967295),
			int64(math.MinInt64), uint64(math.MaxUint64), int64(0)}},
		{"doubles", []any{0.0, -0.0, 1.5, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64, -2.5e-10}},
		{"trailing zero", []any{replication.FloatWithTrailingZero(1), replication.FloatWithTrailingZero(-3),
			replication.FloatWithTrailingZero(2.25), replication.FloatWithTrailingZero(1e22)}},
		{"decimal", []any{decimal.RequireFromString("12345.6789"), decimal.RequireFromString("-0.001")}},
		{"strings", []any{"", "plain", "<b>&amp;</b>", "quote\" backslash\\ slash/", "\x00\x01\x1f\x7f",
			"tab\tnewline\n", "é 中文 😀", "\u2028\u2029", "bad utf8 \xff\xfe end", "00:00:00", "2024-01-02 03:04:05.000006"}},
		{"object", map[string]any{"b": 1.0, "a": []any{"x", map[string]any{"z": nil, "<k>": "v"}}, "": int64(2), "é": true}},
		{"empty", []any{map[string]any{}, []any{}}},
	}
	var got bytes.Buffer
	for _, c := range values {
		out, err := json.Marshal(c.v)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got.WriteString(c.name + ": ")
		got.Write(out)
		got.WriteByte('\n')
	}
	golden := filepath.Join("testdata", "json_marshal.golden")
	if *updateJSON {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("JSON column text differs from goccy/go-json's:\ngot:\n%s\nwant:\n%s", got.Bytes(), want)
	}
}
