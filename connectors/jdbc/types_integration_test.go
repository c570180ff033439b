//go:build integration

package jdbc_test

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
)

// typeCase is one column: its DDL type, the inserted literal, and the
// Connect schema (type, logical name, scale) and JSON value Confluent's
// connector produces for it.
type typeCase struct {
	col, ddl, literal string
	typ, name, scale  string
	value             string // the payload value as JSON text
}

func days(y, m, d int) string {
	return fmt.Sprint(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func millis(s string) string {
	t, err := time.Parse("2006-01-02 15:04:05.999", s)
	if err != nil {
		panic(err)
	}
	return fmt.Sprint(t.UnixMilli())
}

func decimal(unscaled string) string {
	n, _ := new(big.Int).SetString(unscaled, 10)
	return `"` + base64.StdEncoding.EncodeToString(n.Bytes()) + `"`
}

const (
	dateName = "org.apache.kafka.connect.data.Date"
	timeName = "org.apache.kafka.connect.data.Time"
	tsName   = "org.apache.kafka.connect.data.Timestamp"
	decName  = "org.apache.kafka.connect.data.Decimal"
)

var pgTypes = []typeCase{
	{"c_bool", "BOOLEAN", "true", "boolean", "", "", "true"},
	{"c_bit1", "BIT(1)", "B'1'", "boolean", "", "", "true"},
	{"c_int2", "SMALLINT", "-300", "int16", "", "", "-300"},
	{"c_int4", "INTEGER", "-70000", "int32", "", "", "-70000"},
	{"c_int8", "BIGINT", "9000000000", "int64", "", "", "9000000000"},
	{"c_real", "REAL", "1.5", "float", "", "", "1.5"},
	{"c_double", "DOUBLE PRECISION", "2.25", "double", "", "", "2.25"},
	{"c_num", "NUMERIC(10,2)", "123.45", "bytes", decName, "2", decimal("12345")},
	{"c_num_int", "NUMERIC(5,0)", "42", "bytes", decName, "0", decimal("42")},
	{"c_num_free", "NUMERIC", "1.5", "bytes", decName, "18", decimal("1500000000000000000")},
	{"c_varchar", "VARCHAR(10)", "'hi'", "string", "", "", `"hi"`},
	{"c_char", "CHAR(3)", "'ab'", "string", "", "", `"ab "`},
	{"c_text", "TEXT", "'long text'", "string", "", "", `"long text"`},
	{"c_uuid", "UUID", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "string", "", "", `"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"`},
	{"c_jsonb", "JSONB", `'{"a": 1}'`, "string", "", "", `"{\"a\": 1}"`},
	{"c_bytea", "BYTEA", `'\x0102ff'`, "bytes", "", "", `"AQL/"`},
	{"c_date", "DATE", "'2024-03-15'", "int32", dateName, "", days(2024, 3, 15)},
	{"c_time", "TIME", "'13:45:30.5'", "int32", timeName, "", "49530500"},
	{"c_ts", "TIMESTAMP", "'2024-03-15 13:45:30.123'", "int64", tsName, "", millis("2024-03-15 13:45:30.123")},
	{"c_tstz", "TIMESTAMPTZ", "'2024-03-15 13:45:30.123+02'", "int64", tsName, "", millis("2024-03-15 11:45:30.123")},
}

// numeric.mapping=best_fit changes the NUMERIC columns only.
var pgBestFit = map[string]typeCase{
	"c_num":     {typ: "double", value: "123.45"},
	"c_num_int": {typ: "int32", value: "42"},
}

var mysqlTypes = []typeCase{
	{"c_tinyint", "TINYINT", "-5", "int8", "", "", "-5"},
	{"c_tinyint_u", "TINYINT UNSIGNED", "200", "int16", "", "", "200"},
	{"c_bool", "TINYINT(1)", "1", "int8", "", "", "1"},
	{"c_bit1", "BIT(1)", "b'1'", "int8", "", "", "1"},
	{"c_smallint", "SMALLINT", "-300", "int16", "", "", "-300"},
	{"c_smallint_u", "SMALLINT UNSIGNED", "60000", "int32", "", "", "60000"},
	{"c_mediumint", "MEDIUMINT", "70000", "int32", "", "", "70000"},
	{"c_int", "INT", "-70000", "int32", "", "", "-70000"},
	{"c_int_u", "INT UNSIGNED", "4000000000", "int64", "", "", "4000000000"},
	{"c_bigint", "BIGINT", "9000000000", "int64", "", "", "9000000000"},
	{"c_float", "FLOAT", "1.5", "float", "", "", "1.5"},
	{"c_double", "DOUBLE", "2.25", "double", "", "", "2.25"},
	{"c_decimal", "DECIMAL(10,2)", "123.45", "bytes", decName, "2", decimal("12345")},
	{"c_varchar", "VARCHAR(10)", "'hi'", "string", "", "", `"hi"`},
	{"c_text", "TEXT", "'long text'", "string", "", "", `"long text"`},
	{"c_enum", "ENUM('a','b')", "'b'", "string", "", "", `"b"`},
	{"c_json", "JSON", `'{"a": 1}'`, "string", "", "", `"{\"a\": 1}"`},
	{"c_blob", "BLOB", "x'0102ff'", "bytes", "", "", `"AQL/"`},
	{"c_varbinary", "VARBINARY(8)", "x'0102ff'", "bytes", "", "", `"AQL/"`},
	{"c_date", "DATE", "'2024-03-15'", "int32", dateName, "", days(2024, 3, 15)},
	{"c_year", "YEAR", "2024", "int32", dateName, "", days(2024, 1, 1)},
	{"c_time", "TIME(3)", "'13:45:30.5'", "int32", timeName, "", "49530500"},
	{"c_datetime", "DATETIME(3)", "'2024-03-15 13:45:30.123'", "int64", tsName, "", millis("2024-03-15 13:45:30.123")},
	{"c_timestamp", "TIMESTAMP NULL", "'2024-03-15 13:45:30'", "int64", tsName, "", millis("2024-03-15 13:45:30")},
}

// mysqlBestFit: MySQL DECIMAL is java.sql.Types.DECIMAL, which Confluent's
// numeric.mapping leaves a Decimal.
var mysqlBestFit = map[string]typeCase{}

// Every column type is mapped to the Connect schema and value Confluent's
// connector gives it, checked column by column on both databases, with
// numeric.mapping none (bulk mode) and best_fit (incrementing mode).
func TestTypeMapping(t *testing.T) {
	for _, d := range databases(t) {
		cases, bestFit := pgTypes, pgBestFit
		if d.name == "mariadb" {
			cases, bestFit = mysqlTypes, mysqlBestFit
		}
		table := uniq("types")
		cols := []string{"id INT NOT NULL PRIMARY KEY"}
		names, lits := []string{"id"}, []string{"1"}
		for _, c := range cases {
			cols = append(cols, c.col+" "+c.ddl)
			names, lits = append(names, c.col), append(lits, c.literal)
		}
		d.exec(t, "CREATE TABLE "+table+" ("+strings.Join(cols, ", ")+")",
			"INSERT INTO "+table+" ("+strings.Join(names, ", ")+") VALUES ("+strings.Join(lits, ", ")+")")
		for _, mapping := range []string{"none", "best_fit"} {
			t.Run(d.name+"/"+mapping, func(t *testing.T) {
				prefix := "types-" + mapping + "-"
				// bulk runs a plain query (MySQL's text protocol), incrementing a
				// query with parameters (its binary protocol).
				mode := map[string]string{"none": "bulk", "best_fit": "incrementing"}[mapping]
				hs := newHarness(t, table+mapping, map[string]string{"connection.url": d.jdbcURL, "mode": mode,
					"incrementing.column.name": "id", "table.whitelist": table, "topic.prefix": prefix, "numeric.mapping": mapping, "db.timezone": "UTC"})
				if res := hs.invoke(hs.taskConfigs(1)[0]); res.State != "RUNNING" || res.Read != 1 {
					t.Fatalf("%s read %d: %s", res.State, res.Read, res.Trace)
				}
				env := consumeEnvelopes(t, prefix+table, 1, 20*time.Second)[0]
				fields := map[string]map[string]any{}
				for _, f := range env["schema"].(map[string]any)["fields"].([]any) {
					fm := f.(map[string]any)
					fields[fm["field"].(string)] = fm
				}
				payload := env["payload"].(map[string]any)
				for _, c := range cases {
					want := c
					if bf, ok := bestFit[c.col]; ok && mapping == "best_fit" {
						want.typ, want.name, want.scale, want.value = bf.typ, bf.name, bf.scale, bf.value
					}
					checkColumn(t, c, want, fields[c.col], payload[c.col])
				}
			})
		}
	}
}

func checkColumn(t *testing.T, c, want typeCase, f map[string]any, v any) {
	t.Helper()
	if f == nil {
		t.Errorf("%s %s: missing from the schema", c.col, c.ddl)
		return
	}
	str := func(x any) string {
		if x == nil {
			return ""
		}
		return fmt.Sprint(x)
	}
	scale := ""
	if p, ok := f["parameters"].(map[string]any); ok {
		scale = str(p["scale"])
	}
	got := fmt.Sprintf("%s %s %s optional=%v", f["type"], str(f["name"]), scale, f["optional"])
	exp := fmt.Sprintf("%s %s %s optional=true", want.typ, want.name, want.scale)
	if got != exp {
		t.Errorf("%s %s: schema %s, want %s", c.col, c.ddl, got, exp)
	}
	gotV := fmt.Sprint(v)
	if s, ok := v.(string); ok {
		gotV = fmt.Sprintf("%q", s)
	}
	if gotV != want.value {
		t.Errorf("%s %s = %s: value %s, want %s", c.col, c.ddl, c.literal, gotV, want.value)
	}
}
