//go:build integration

package postgrescdc_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sourcetest"
)

// cdcType is one column: DDL type, literal, and the Debezium schema (type,
// semantic name) and JSON value of the change event.
type cdcType struct {
	col, ddl, literal, typ, name, value string
}

var cdcTypes = []cdcType{
	{"c_bool", "BOOLEAN", "true", "boolean", "", "true"},
	{"c_int2", "SMALLINT", "-300", "int16", "", "-300"},
	{"c_int4", "INTEGER", "-70000", "int32", "", "-70000"},
	{"c_int8", "BIGINT", "9000000000", "int64", "", "9000000000"},
	{"c_real", "REAL", "1.5", "float", "", "1.5"},
	{"c_double", "DOUBLE PRECISION", "2.25", "double", "", "2.25"},
	{"c_num", "NUMERIC(10,2)", "123.45", "bytes", "org.apache.kafka.connect.data.Decimal", `"MDk="`},
	{"c_num_free", "NUMERIC", "1.5", "struct", "io.debezium.data.VariableScaleDecimal", "map[scale:1 value:Dw==]"},
	{"c_varchar", "VARCHAR(10)", "'hi'", "string", "", `"hi"`},
	{"c_text", "TEXT", "'long text'", "string", "", `"long text"`},
	{"c_uuid", "UUID", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "string", "io.debezium.data.Uuid", `"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"`},
	{"c_jsonb", "JSONB", `'{"a": 1}'`, "string", "io.debezium.data.Json", `"{\"a\": 1}"`},
	{"c_bytea", "BYTEA", `'\x0102ff'`, "bytes", "", `"AQL/"`},
	{"c_date", "DATE", "'2024-03-15'", "int32", "io.debezium.time.Date", "19797"},
	{"c_time", "TIME", "'13:45:30.5'", "int64", "io.debezium.time.MicroTime", "49530500000"},
	{"c_ts", "TIMESTAMP", "'2024-03-15 13:45:30.123456'", "int64", "io.debezium.time.MicroTimestamp", "1710510330123456"},
	{"c_ts3", "TIMESTAMP(3)", "'2024-03-15 13:45:30.123'", "int64", "io.debezium.time.Timestamp", "1710510330123"},
	{"c_tstz", "TIMESTAMPTZ", "'2024-03-15 13:45:30.5+02'", "string", "io.debezium.time.ZonedTimestamp", `"2024-03-15T11:45:30.500000Z"`},
}

// Each column type maps to Debezium's schema and value, the same in the
// snapshot (read with ::text) and in the stream (pgoutput's text format).
func TestTypeMappingSnapshotAndStream(t *testing.T) {
	conn := pg(t)
	name := uniq("cdctypes")
	tbl := name + "_t"
	cols := []string{"id INT PRIMARY KEY"}
	names, lits := []string{"id"}, []string{"1"}
	for _, c := range cdcTypes {
		cols = append(cols, c.col+" "+c.ddl)
		names, lits = append(names, c.col), append(lits, c.literal)
	}
	insert := func(id int) string {
		lits[0] = fmt.Sprint(id)
		return "INSERT INTO " + tbl + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(lits, ", ") + ")"
	}
	exec(t, conn, "CREATE TABLE "+tbl+" ("+strings.Join(cols, ", ")+")", insert(1))
	dropSlot(t, conn, name)
	hs := newHarness(t, connectorConfig(t, name, "public."+tbl))
	hs.Drain(100) // snapshot: row 1
	exec(t, conn, insert(2))
	hs.DrainAtLeast(100, 1) // stream: row 2
	got := consume(t, name+".public."+tbl, 2, 20*time.Second)
	if len(got) != 2 {
		t.Fatalf("%d records, want 2", len(got))
	}
	for i, op := range []string{"r", "c"} {
		env := got[i].Value
		p := sourcetest.Payload(env)
		if p["op"] != op {
			t.Fatalf("record %d: op %v, want %s", i, p["op"], op)
		}
		after := p["after"].(map[string]any)
		var fields map[string]map[string]any = map[string]map[string]any{}
		for _, f := range env["schema"].(map[string]any)["fields"].([]any) {
			fm := f.(map[string]any)
			if fm["field"] == "after" {
				for _, cf := range fm["fields"].([]any) {
					cfm := cf.(map[string]any)
					fields[cfm["field"].(string)] = cfm
				}
			}
		}
		for _, c := range cdcTypes {
			f := fields[c.col]
			name, _ := f["name"].(string)
			if f["type"] != c.typ || name != c.name {
				t.Errorf("%s %s %s: schema %v %q, want %s %q", op, c.col, c.ddl, f["type"], name, c.typ, c.name)
			}
			v := fmt.Sprint(after[c.col])
			if s, ok := after[c.col].(string); ok {
				v = fmt.Sprintf("%q", s)
			}
			if v != c.value {
				t.Errorf("%s %s %s = %s: value %s, want %s", op, c.col, c.ddl, c.literal, v, c.value)
			}
		}
	}
}
