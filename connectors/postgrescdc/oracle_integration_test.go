//go:build integration

package postgrescdc_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// oracleModes are the connector settings every change is captured with, by
// Debezium's PostgresConnector and by ferry side by side: each
// decimal.handling.mode, and each time.precision.mode with one of them.
var oracleModes = []map[string]string{
	{"decimal.handling.mode": "precise", "time.precision.mode": "adaptive"},
	{"decimal.handling.mode": "double", "time.precision.mode": "connect"},
	{"decimal.handling.mode": "string", "time.precision.mode": "adaptive_time_microseconds"},
}

// oracleTypes are the columns of the types table: every PostgreSQL type
// ferry maps, each followed by its literals for the rows the test writes
// (min, max, typical; NULL rows are written separately).
var oracleTypes = []struct{ col, ddl, min, max, typical string }{
	{"c_bool", "BOOLEAN", "false", "true", "true"},
	{"c_int2", "SMALLINT", "-32768", "32767", "-300"},
	{"c_int4", "INTEGER", "-2147483648", "2147483647", "70000"},
	{"c_int8", "BIGINT", "-9223372036854775808", "9223372036854775807", "9000000000"},
	{"c_oid", "OID", "0", "4294967295", "12345"},
	{"c_real", "REAL", "'-3.4028235e38'", "'3.4028235e38'", "1.5"},
	{"c_real_tiny", "REAL", "'1e-45'", "'-1e-45'", "'0.1'"},
	{"c_double", "DOUBLE PRECISION", "'-1.7976931348623157e308'", "'1.7976931348623157e308'", "'0.1'"},
	{"c_double_tiny", "DOUBLE PRECISION", "'4.9e-324'", "'-2.2250738585072014e-308'", "'-0'"},
	{"c_num", "NUMERIC(12,3)", "-999999999.999", "999999999.999", "0.5"},
	{"c_num0", "NUMERIC(5)", "-99999", "99999", "42"},
	{"c_num_free", "NUMERIC", "'-123456789012345678901234567890.123456789'", "'0.000000000000000000001'", "'1.50'"},
	{"c_num_free2", "NUMERIC", "'0.00'", "'100'", "'-12.3400'"},
	{"c_num_ts", "NUMERIC(30,10)", "'0.0000000000'", "'12345678901234567890.1234567890'", "'-1.5'"},
	{"c_text", "TEXT", "''", `'ünïcødé ☃ "quoted" \ back\slash'`, "'long text'"},
	{"c_varchar", "VARCHAR(20)", "''", "'twenty characters...'", "'hi'"},
	{"c_bpchar", "CHAR(5)", "'a'", "'abcde'", "'ab'"},
	{"c_char", `"char"`, "'a'", "'z'", "'m'"},
	{"c_name", "NAME", "'n'", "'a_name'", "'pg'"},
	{"c_uuid", "UUID", "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"},
	{"c_json", "JSON", "'{}'", `'{"a": [1, 2.50, null], "b": {"c": "x"}}'`, `'[1,"two"]'`},
	{"c_jsonb", "JSONB", "'null'", `'{"b": {"c": "x"}, "a": [1, 2.50, null]}'`, `'{"k": true}'`},
	{"c_xml", "XML", "'<a/>'", "'<r><i n=\"1\">x</i></r>'", "'<a>1</a>'"},
	{"c_bytea", "BYTEA", `'\x'`, `'\x00ff10'`, `'\x0102ff'`},
	{"c_date", "DATE", "'0001-01-01'", "'9999-12-31'", "'1969-12-31'"},
	{"c_time", "TIME", "'00:00:00'", "'23:59:59.999999'", "'13:45:30.5'"},
	{"c_time0", "TIME(0)", "'00:00:00'", "'23:59:59'", "'13:45:30'"},
	{"c_time3", "TIME(3)", "'00:00:00'", "'23:59:59.999'", "'13:45:30.5'"},
	{"c_ts", "TIMESTAMP", "'0001-01-01 00:00:00'", "'9999-12-31 23:59:59.999999'", "'1969-12-31 23:59:59.999999'"},
	{"c_ts3", "TIMESTAMP(3)", "'1900-01-01 00:00:00'", "'2999-12-31 23:59:59.999'", "'2024-03-15 13:45:30.123'"},
	{"c_tstz", "TIMESTAMPTZ", "'0001-01-01 00:00:00+00'", "'9999-12-31 23:59:59.999999+00'", "'2024-03-10 02:30:00.5+05:30'"},
	{"c_tstz_west", "TIMESTAMPTZ", "'1970-01-01 00:00:00-08'", "'2038-01-19 03:14:08+14'", "'2024-11-03 01:30:00-04'"},
	{"c_timetz", "TIMETZ", "'00:00:00+14'", "'23:59:59.999999-12'", "'10:00:00.123-08'"},
	{"c_inet", "INET", "'0.0.0.0'", "'2001:db8::ff00:42:8329/64'", "'192.168.1.5/24'"},
	{"c_cidr", "CIDR", "'0.0.0.0/0'", "'2001:db8::/32'", "'10.1.0.0/16'"},
	{"c_macaddr", "MACADDR", "'00:00:00:00:00:00'", "'ff:ff:ff:ff:ff:ff'", "'08:00:2b:01:02:03'"},
	{"c_macaddr8", "MACADDR8", "'00:00:00:00:00:00:00:00'", "'ff:ff:ff:ff:ff:ff:ff:ff'", "'08:00:2b:01:02:03:04:05'"},
	{"c_interval", "INTERVAL", "'-178000000 years'", "'178000000 years'", "'1 year 2 mons -3 days 04:05:06.789'"},
	{"c_interval2", "INTERVAL", "'-1 day -00:00:00.000001'", "'29 days 23:59:59.999999'", "'-04:05:06.5'"},
	{"c_int_arr", "INTEGER[]", "'{}'", "'{-2147483648,NULL,2147483647}'", "'{1,2,3}'"},
	{"c_text_arr", "TEXT[]", "'{\"\"}'", `'{"a b","q\"uote","back\\slash",NULL,"NULL","{x}"}'`, "'{one,two}'"},
	{"c_bool_arr", "BOOLEAN[]", "'{f}'", "'{t,f,NULL}'", "'{t}'"},
	{"c_float_arr", "DOUBLE PRECISION[]", "'{-1.5e300}'", "'{Infinity,0.1}'", "'{2.25}'"},
	{"c_uuid_arr", "UUID[]", "'{}'", "'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'", "'{00000000-0000-0000-0000-000000000000}'"},
	{"c_date_arr", "DATE[]", "'{0001-01-01}'", "'{9999-12-31,NULL}'", "'{1970-01-01}'"},
	{"c_tstz_arr", "TIMESTAMPTZ[]", "'{}'", "'{\"2024-03-10 02:30:00.5+05:30\"}'", "'{\"1970-01-01 00:00:00+00\"}'"},
	{"c_bit1", "BIT(1)", "B'0'", "B'1'", "B'1'"},
	{"c_bit", "BIT(12)", "B'000000000000'", "B'111111111111'", "B'101000000001'"},
	{"c_varbit", "BIT VARYING(20)", "B''", "B'11111111111111111111'", "B'101'"},
	{"c_money", "MONEY", "'-92233720368547758.08'", "'92233720368547758.07'", "'1234.5'"},
	{"c_enum", "SCHEMA.oracle_mood", "'sad'", "'happy, very'", "'ok'"},
	{"c_required", "INTEGER NOT NULL", "0", "1", "2"},
}

// oracleTables creates the captured tables in schema s and fills them with
// the rows the snapshot reads.
func oracleTables(s string) []string {
	cols := []string{"id INT PRIMARY KEY"}
	for _, c := range oracleTypes {
		cols = append(cols, c.col+" "+strings.ReplaceAll(c.ddl, "SCHEMA.", s+"."))
	}
	return []string{
		"CREATE SCHEMA " + s,
		"CREATE TYPE " + s + ".oracle_mood AS ENUM ('sad', 'ok', 'happy, very')",
		"CREATE TABLE " + s + ".types (" + strings.Join(cols, ", ") + ")",
		"CREATE TABLE " + s + ".multi (a INT, b TEXT, v TEXT, PRIMARY KEY (b, a))",
		"CREATE TABLE " + s + ".nokey (a INT, v TEXT)",
		"ALTER TABLE " + s + ".nokey REPLICA IDENTITY FULL",
		"CREATE TABLE " + s + ".full (id BIGINT PRIMARY KEY, v TEXT, n NUMERIC(6,2))",
		"ALTER TABLE " + s + ".full REPLICA IDENTITY FULL",
		"CREATE TABLE " + s + ".evolve (id INT PRIMARY KEY, a TEXT)",
		"CREATE TABLE " + s + ".toast (id INT PRIMARY KEY, big TEXT, n INT)",
		typesRow(s, 1, "min"), typesRow(s, 2, "max"), typesRow(s, 3, "typical"), typesNulls(s, 4),
		"INSERT INTO " + s + ".multi VALUES (1, 'x', 'one'), (2, 'x', 'two'), (1, 'y', NULL)", // key order: ferry's snapshot reads in it
		"INSERT INTO " + s + ".nokey VALUES (1, 'a'), (NULL, NULL)",
		"INSERT INTO " + s + ".full VALUES (1, 'v', 1.25)",
		"INSERT INTO " + s + ".evolve VALUES (1, 'before')",
		"INSERT INTO " + s + ".toast VALUES (1, repeat('x', 9000) || md5('1'), 1)",
	}
}

// typesRow inserts row id of the types table with the min, max or typical literals.
func typesRow(s string, id int, which string) string {
	names, vals := []string{"id"}, []string{fmt.Sprint(id)}
	for _, c := range oracleTypes {
		v := map[string]string{"min": c.min, "max": c.max, "typical": c.typical}[which]
		names, vals = append(names, c.col), append(vals, v)
	}
	return "INSERT INTO " + s + ".types (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(vals, ", ") + ")"
}

// typesNulls inserts row id with every nullable column NULL.
func typesNulls(s string, id int) string {
	return fmt.Sprintf("INSERT INTO %s.types (id, c_required) VALUES (%d, -1)", s, id)
}

// oracleStep is one phase of changes after the snapshot: its statements run
// in one transaction per element of stmts (a string with ';' inside runs as
// one transaction).
type oracleStep struct {
	phase string
	stmts []string
}

// oracleSteps are the changes streamed after the snapshot, phase by phase.
func oracleSteps(s string) []oracleStep {
	return []oracleStep{
		{"insert", []string{
			typesRow(s, 11, "min"), typesRow(s, 12, "max"), typesRow(s, 13, "typical"), typesNulls(s, 14),
			"INSERT INTO " + s + ".multi VALUES (3, 'z', 'three')",
			"INSERT INTO " + s + ".nokey VALUES (2, 'b')",
			"INSERT INTO " + s + ".full VALUES (2, NULL, -9999.99)",
			"INSERT INTO " + s + ".toast VALUES (2, repeat('y', 9000) || md5('2'), 2)",
		}},
		{"update", []string{
			"UPDATE " + s + ".types SET c_text = 'changed', c_int4 = NULL WHERE id = 3",
			"UPDATE " + s + ".types SET c_required = c_required + 10 WHERE id IN (1, 2)",
			"UPDATE " + s + ".multi SET v = 'uno' WHERE a = 1 AND b = 'x'",
			"UPDATE " + s + ".multi SET a = 9 WHERE a = 2 AND b = 'x'", // key change: delete, tombstone, create
			"UPDATE " + s + ".nokey SET v = 'c' WHERE a = 2",
			"UPDATE " + s + ".full SET v = 'w', n = 0 WHERE id = 1",
			"UPDATE " + s + ".toast SET n = 20 WHERE id = 2", // big is unchanged: TOASTed, not sent
		}},
		{"delete", []string{
			"DELETE FROM " + s + ".types WHERE id IN (11, 14)",
			"DELETE FROM " + s + ".multi WHERE a = 1 AND b = 'y'",
			"DELETE FROM " + s + ".nokey WHERE a = 1",
			"DELETE FROM " + s + ".full WHERE id = 2",
			"DELETE FROM " + s + ".toast WHERE id = 1",
		}},
		{"transaction", []string{
			"INSERT INTO " + s + ".multi VALUES (5, 't', 'tx'); UPDATE " + s + ".full SET v = 'tx' WHERE id = 1; " +
				"DELETE FROM " + s + ".multi WHERE a = 3; INSERT INTO " + s + ".types (id, c_required) VALUES (20, 20); " +
				"UPDATE " + s + ".types SET c_required = 21 WHERE id = 20",
		}},
		{"schema change", []string{
			"ALTER TABLE " + s + ".evolve ADD COLUMN b NUMERIC(8,3) NOT NULL DEFAULT 1.5",
			"INSERT INTO " + s + ".evolve VALUES (2, 'added', 2.25)",
			"UPDATE " + s + ".evolve SET a = 'after add' WHERE id = 1",
			"ALTER TABLE " + s + ".evolve DROP COLUMN a",
			"INSERT INTO " + s + ".evolve VALUES (3, 3.125)",
			"ALTER TABLE " + s + ".evolve ALTER COLUMN b TYPE TEXT",
			"INSERT INTO " + s + ".evolve VALUES (4, 'now text')",
			"ALTER TABLE " + s + ".evolve ADD COLUMN c TIMESTAMPTZ",
			"UPDATE " + s + ".evolve SET c = '2024-06-01 12:00:00+02' WHERE id = 4",
			"DELETE FROM " + s + ".evolve WHERE id = 2",
		}},
	}
}

// runSteps runs the statements of one step, each element in its own transaction.
func runSteps(t *testing.T, conn *pgx.Conn, st oracleStep) {
	t.Helper()
	ctx := context.Background()
	for _, stmt := range st.stmts {
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, one := range strings.Split(stmt, "; ") {
			if _, err := tx.Exec(ctx, one); err != nil {
				t.Fatalf("%s: %s: %v", st.phase, one, err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// oracleSnapshotCounts are the records of each table's snapshot, and
// oracleCounts the records of each table at the end (deletes followed by
// tombstones, a key change is a delete, a tombstone and a create).
var (
	oracleSnapshotCounts = map[string]int{"types": 4, "multi": 3, "nokey": 2, "full": 1, "evolve": 1, "toast": 1}
	oracleCounts         = map[string]int{"types": 17, "multi": 13, "nokey": 5, "full": 6, "evolve": 8, "toast": 5, "mark": 5}
)

// oracleTableNames are the captured tables, in the order they are compared.
var oracleTableNames = []string{"types", "multi", "nokey", "full", "evolve", "toast"}
