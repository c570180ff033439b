package datagen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// TestRecordsGolden pins what each quickstart generates for a fixed seed:
// key, value as JsonConverter writes it without schemas, headers, timestamp
// and source offset of the first records of two tasks, unpaced and paced,
// to testdata/<quickstart>.records.golden. Any change to generation shows
// here byte for byte. Values written as JSON from the draws
// (WriteJSONValues) must match the same file.
func TestRecordsGolden(t *testing.T) {
	for _, name := range quickstartNames() {
		for _, asJSON := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/asJSON=%v", name, asJSON), func(t *testing.T) { recordsGolden(t, name, asJSON) })
		}
	}
}

func recordsGolden(t *testing.T, name string, asJSON bool) {
	var b strings.Builder
	for _, c := range []struct{ task, interval string }{{"0", "0"}, {"1", "0"}, {"0", "500"}} {
		fmt.Fprintf(&b, "# task.id=%s max.interval=%s\n", c.task, c.interval)
		task := openAt(t, props("quickstart", name, "random.seed", "42", "task.id", c.task, "tasks.max", "2", "max.interval", c.interval))
		if asJSON && !task.WriteJSONValues() {
			t.Fatal("WriteJSONValues refused")
		}
		for i, r := range poll(t, task) {
			if i == 20 {
				break
			}
			b.WriteString(goldenLine(t, r))
		}
	}
	checkGolden(t, filepath.Join("testdata", name+".records.golden"), b.String())
}

func goldenLine(t *testing.T, r *connectors.Record) string {
	t.Helper()
	v, err := connectjson.AppendValue(nil, nil, r.Value, connectjson.Options{})
	if text, ok := r.Value.(*connectors.JSONText); ok {
		v, err = *text, nil
	}
	if err != nil {
		// A Struct is written with its schema's field order.
		v, err = connectjson.AppendValue(nil, r.ValueSchema, r.Value, connectjson.Options{})
	}
	if err != nil {
		t.Fatal(err)
	}
	var hs []string
	for _, h := range r.Headers {
		hs = append(hs, fmt.Sprintf("%s=%v", h.Key, h.Value))
	}
	off, err := json.Marshal(r.SourceOffsetMap())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("key=%v ts=%d headers=%s offset=%s value=%s\n", r.Key, r.Timestamp, strings.Join(hs, ","), off, v)
}

// checkGolden compares got with the golden file at path (rewritten with -update).
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs:\n got %s\nwant %s", path, got, want)
	}
}
