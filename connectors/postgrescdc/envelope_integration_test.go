//go:build integration

package postgrescdc_test

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

// How ferry's events may differ from the documented example, by JSON path.
var (
	// Values that depend on the run (server clock, WAL position, version):
	// only their JSON type is compared.
	runtimeValues = map[string]bool{
		"payload.source.version": true, "payload.source.ts_ms": true, "payload.source.db": true,
		"payload.source.txId": true, "payload.source.lsn": true, "payload.ts_ms": true,
	}
	// Where the documentation's example predates what Debezium 2.x emits and
	// ferry follows the runtime: source.snapshot is the io.debezium.data.Enum
	// string ("false"), the source block has sequence, the envelope has the
	// transaction block and version 1.
	debezium2x = map[string]bool{
		"schema.fields[source].fields[snapshot]": true, "payload.source.snapshot": true,
		"schema.fields[source].fields[sequence]": true, "payload.source.sequence": true,
		"schema.fields[transaction]": true, "payload.transaction": true, "schema.version": true,
		// Debezium 3.x (checked against the connector itself by
		// TestDebeziumOraclePostgres): ts_us and ts_ns beside ts_ms, origin
		// and origin_lsn in the source block, which has version 1.
		"schema.fields[ts_us]": true, "schema.fields[ts_ns]": true, "payload.ts_us": true, "payload.ts_ns": true,
		"schema.fields[source].fields[ts_us]": true, "schema.fields[source].fields[ts_ns]": true,
		"schema.fields[source].fields[origin]": true, "schema.fields[source].fields[origin_lsn]": true,
		"schema.fields[source].version": true, "payload.source.ts_us": true, "payload.source.ts_ns": true,
		"payload.source.origin": true, "payload.source.origin_lsn": true,
	}
)

// The envelope of one insert, update and delete of Debezium's documented
// customers table, compared field by field with the documentation's example
// (testdata/debezium-customers.json).
func TestEnvelopeMatchesDebeziumExample(t *testing.T) {
	raw, err := os.ReadFile("testdata/debezium-customers.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden map[string]any
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	conn := pg(t)
	name := uniq("env")
	schema := "inv_" + name[4:]
	exec(t, conn, "CREATE SCHEMA "+schema,
		"CREATE TABLE "+schema+".customers (id SERIAL PRIMARY KEY, first_name VARCHAR(255) NOT NULL, last_name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL)",
		"ALTER TABLE "+schema+".customers REPLICA IDENTITY FULL")
	t.Cleanup(func() { exec(t, conn, "DROP SCHEMA "+schema+" CASCADE") })
	dropSlot(t, conn, name)
	cfg := connectorConfig(t, name, schema+".customers")
	cfg["snapshot.mode"] = "no_data"
	hs := newHarness(t, cfg)
	hs.Drain(1000) // creates the slot
	exec(t, conn, "INSERT INTO "+schema+".customers (first_name, last_name, email) VALUES ('Anne', 'Kretchmar', 'annek@noanswer.org')",
		"UPDATE "+schema+".customers SET first_name = 'Anne Marie' WHERE id = 1",
		"DELETE FROM "+schema+".customers WHERE id = 1")
	hs.DrainAtLeast(1000, 4)
	got := consume(t, name+"."+schema+".customers", 4, 30*time.Second)
	if len(got) != 4 {
		t.Fatalf("got %d records, want create, update, delete, tombstone", len(got))
	}
	norm := func(b []byte) any {
		s := strings.ReplaceAll(string(b), name+"."+schema+".", "PostgreSQL_server.inventory.")
		s = strings.ReplaceAll(strings.ReplaceAll(s, `"`+schema+`"`, `"inventory"`), `"`+name+`"`, `"PostgreSQL_server"`)
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	var diffs []string
	for i, kind := range []string{"create", "update", "delete"} {
		compare(kind, golden[kind], norm(got[i].Raw), &diffs)
	}
	keyJSON, _ := json.Marshal(got[0].Key)
	compare("key", golden["key"], norm(keyJSON), &diffs)
	if got[3].Value != nil {
		diffs = append(diffs, fmt.Sprintf("record 4 is not a tombstone: %v", got[3].Value))
	}
	if len(diffs) > 0 {
		t.Fatalf("differences from Debezium's example:\n%s", strings.Join(diffs, "\n"))
	}
}

// compare walks want (the documented example) and got, naming struct fields
// by their "field" value, and records every difference not allowed above.
func compare(path string, want, got any, diffs *[]string) {
	rel := relPath(path)
	if debezium2x[rel] {
		return
	}
	if runtimeValues[rel] {
		if fmt.Sprintf("%T", want) != fmt.Sprintf("%T", got) {
			*diffs = append(*diffs, fmt.Sprintf("%s: type %T, want %T", path, got, want))
		}
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v, want an object", path, got))
			return
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		for _, k := range sortedKeys(keys) {
			if k == "fields" {
				compareFields(path+".fields", w[k], g[k], diffs)
				continue
			}
			if _, ok := w[k]; !ok {
				if !debezium2x[strings.TrimPrefix(rel+"."+k, ".")] {
					*diffs = append(*diffs, fmt.Sprintf("%s.%s: unexpected %v", path, k, g[k]))
				}
				continue
			}
			compare(path+"."+k, w[k], g[k], diffs)
		}
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v, want %v", path, got, want))
		}
	}
}

// compareFields compares schema field lists by field name, in order.
func compareFields(path string, want, got any, diffs *[]string) {
	byName := func(v any) (map[string]any, []string) {
		m := map[string]any{}
		var order []string
		list, _ := v.([]any)
		for _, f := range list {
			name := fmt.Sprint(f.(map[string]any)["field"])
			m[name] = f
			order = append(order, name)
		}
		return m, order
	}
	w, worder := byName(want)
	g, gorder := byName(got)
	rel := relPath(path)
	for _, n := range gorder {
		if _, ok := w[n]; !ok && !debezium2x[rel+"["+n+"]"] {
			*diffs = append(*diffs, fmt.Sprintf("%s[%s]: unexpected field", path, n))
		}
	}
	var common []string
	for _, n := range worder {
		if _, ok := g[n]; !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s[%s]: missing", path, n))
			continue
		}
		common = append(common, n)
		compare(path+"["+n+"]", w[n], g[n], diffs)
	}
	var gcommon []string
	for _, n := range gorder {
		if _, ok := w[n]; ok {
			gcommon = append(gcommon, n)
		}
	}
	if strings.Join(common, ",") != strings.Join(gcommon, ",") {
		*diffs = append(*diffs, fmt.Sprintf("%s: field order %v, want %v", path, gcommon, common))
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// relPath drops the leading event name (create., key., ...) from a path.
func relPath(path string) string {
	if _, rest, ok := strings.Cut(path, "."); ok {
		return rest
	}
	return ""
}
