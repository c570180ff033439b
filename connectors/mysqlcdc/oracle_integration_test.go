//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"strings"
)

// oracleModes are the connector settings every change is captured with, by
// Debezium's connector and by ferry's side by side: each
// decimal.handling.mode, time.precision.mode, bigint.unsigned.handling.mode
// and binary.handling.mode at least once (MySqlConnector 3.6 refuses
// time.precision.mode=adaptive).
var oracleModes = []map[string]string{
	{"decimal.handling.mode": "precise", "time.precision.mode": "adaptive_time_microseconds",
		"bigint.unsigned.handling.mode": "long", "binary.handling.mode": "bytes"},
	{"decimal.handling.mode": "double", "time.precision.mode": "connect",
		"bigint.unsigned.handling.mode": "precise", "binary.handling.mode": "base64", "column.exclude.list": `.*\.types\.c_time_wide`},
	{"decimal.handling.mode": "string", "time.precision.mode": "adaptive_time_microseconds",
		"bigint.unsigned.handling.mode": "long", "binary.handling.mode": "hex"},
}

// oracleTypes are the columns of the types table: every MariaDB column type
// ferry maps, with literals for the min, max and typical rows (a fourth row
// has every nullable column NULL).
var oracleTypes = []struct{ col, ddl, min, max, typical string }{
	{"c_tinyint", "TINYINT", "-128", "127", "-5"},
	{"c_tinyint_u", "TINYINT UNSIGNED", "0", "255", "200"},
	{"c_bool", "BOOLEAN", "0", "1", "1"},
	{"c_smallint", "SMALLINT", "-32768", "32767", "-300"},
	{"c_smallint_u", "SMALLINT UNSIGNED", "0", "65535", "40000"},
	{"c_mediumint", "MEDIUMINT", "-8388608", "8388607", "-70000"},
	{"c_mediumint_u", "MEDIUMINT UNSIGNED", "0", "16777215", "9000000"},
	{"c_int", "INT", "-2147483648", "2147483647", "70000"},
	{"c_int_u", "INT UNSIGNED", "0", "4294967295", "3000000000"},
	{"c_bigint", "BIGINT", "-9223372036854775808", "9223372036854775807", "9000000000"},
	{"c_bigint_u", "BIGINT UNSIGNED", "0", "18446744073709551615", "9223372036854775808"},
	{"c_bit1", "BIT(1)", "b'0'", "b'1'", "b'1'"},
	{"c_bit", "BIT(12)", "b'0'", "b'111111111111'", "b'101'"},
	{"c_float", "FLOAT", "-3.40282e38", "3.40282e38", "1.5"},
	{"c_double", "DOUBLE", "-1.7976931348623157e308", "1.7976931348623157e308", "0.1"},
	{"c_dec", "DECIMAL(12,3)", "-999999999.999", "999999999.999", "0.5"},
	{"c_dec0", "DECIMAL(5,0)", "-99999", "99999", "42"},
	{"c_char", "CHAR(5)", "''", "'abcde'", "'ab'"},
	{"c_varchar", "VARCHAR(20)", "''", `'ünïcødé ☃ "q" \\ x'`, "'hi'"},
	{"c_text", "TEXT", "''", "REPEAT('t', 300)", "'long text'"},
	{"c_longtext", "LONGTEXT", "''", "'end'", "'x'"},
	{"c_binary", "BINARY(4)", "x'00000000'", "x'ffffffff'", "x'0102'"},
	{"c_varbinary", "VARBINARY(10)", "x''", "x'00ff10'", "x'0102ff'"},
	{"c_blob", "BLOB", "x''", "x'deadbeef'", "x'01'"},
	{"c_enum", "ENUM('a','b','c')", "'a'", "'c'", "'b'"},
	{"c_set", "SET('x','y','z')", "''", "'x,y,z'", "'x,z'"},
	{"c_json", "JSON", "'{}'", `'{"a": [1, 2.50, null], "b": {"c": "x"}}'`, `'[1, "two"]'`},
	{"c_date", "DATE", "'1000-01-01'", "'9999-12-31'", "'1969-12-31'"},
	{"c_time", "TIME", "'00:00:00'", "'23:59:59'", "'13:45:30'"},
	{"c_time_wide", "TIME", "'-838:59:59'", "'838:59:59'", "'-00:00:01'"}, // left out in connect mode: no Connect Time

	{"c_time6", "TIME(6)", "'00:00:00'", "'23:59:59.999999'", "'00:00:00.5'"},
	{"c_datetime", "DATETIME", "'1000-01-01 00:00:00'", "'9999-12-31 23:59:59'", "'1969-12-31 23:59:59'"},
	{"c_datetime3", "DATETIME(3)", "'1970-01-01 00:00:00'", "'2999-12-31 23:59:59.999'", "'2024-03-15 13:45:30.123'"},
	{"c_datetime6", "DATETIME(6)", "'1000-01-01 00:00:00'", "'9999-12-31 23:59:59.999999'", "'2024-03-15 13:45:30.123456'"},
	{"c_ts", "TIMESTAMP NULL", "'1970-01-01 05:30:01'", "'2038-01-19 08:44:07'", "'2024-03-10 02:30:00'"},
	{"c_ts6", "TIMESTAMP(6) NULL", "'1970-01-01 05:30:01'", "'2038-01-19 08:44:07.999999'", "'2024-11-03 01:30:00.5'"},
	{"c_year", "YEAR", "1901", "2155", "2024"},
	{"c_geometry", "GEOMETRY", "ST_GeomFromText('POINT(0 0)')", "ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))', 4326)", "ST_GeomFromText('LINESTRING(1 1,2 2)')"},
	{"c_linestring", "LINESTRING", "ST_GeomFromText('LINESTRING(0 0,1 1)')", "ST_GeomFromText('LINESTRING(-180 -90,180 90)', 3857)", "ST_GeomFromText('LINESTRING(1.5 2.5,3 4)')"},
	{"c_point", "POINT", "ST_GeomFromText('POINT(0 0)')", "ST_GeomFromText('POINT(-180 90)', 4326)", "ST_GeomFromText('POINT(1.5 -2.25)')"},
	{"c_required", "INT NOT NULL DEFAULT 7", "0", "1", "2"},
}

// oracleTables creates the captured tables in database d and fills them
// with the rows the snapshot reads. The session writing them is at
// time_zone +05:30, so TIMESTAMP literals are converted.
func oracleTables(d string) []string {
	cols := []string{"id INT PRIMARY KEY"}
	for _, c := range oracleTypes {
		cols = append(cols, c.col+" "+c.ddl)
	}
	return []string{
		"CREATE TABLE " + d + ".types (" + strings.Join(cols, ", ") + ")",
		"CREATE TABLE " + d + ".multi (a INT, b VARCHAR(10), v VARCHAR(10), PRIMARY KEY (b, a))",
		"CREATE TABLE " + d + ".nokey (a INT, v VARCHAR(10))",
		"CREATE TABLE " + d + ".evolve (id INT PRIMARY KEY, a VARCHAR(20))",
		"CREATE TABLE " + d + ".mark (id INT PRIMARY KEY)",
		typesRow(d, 1, "min"), typesRow(d, 2, "max"), typesRow(d, 3, "typical"), typesNulls(d, 4),
		"INSERT INTO " + d + ".multi VALUES (1, 'x', 'one'), (2, 'x', 'two'), (1, 'y', NULL)",
		"INSERT INTO " + d + ".nokey VALUES (1, 'a'), (NULL, NULL)",
		"INSERT INTO " + d + ".evolve VALUES (1, 'before')",
	}
}

// typesRow inserts row id of the types table with the min, max or typical literals.
func typesRow(d string, id int, which string) string {
	names, vals := []string{"id"}, []string{fmt.Sprint(id)}
	for _, c := range oracleTypes {
		v := map[string]string{"min": c.min, "max": c.max, "typical": c.typical}[which]
		names, vals = append(names, c.col), append(vals, v)
	}
	return "INSERT INTO " + d + ".types (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(vals, ", ") + ")"
}

// typesNulls inserts row id with every nullable column NULL.
func typesNulls(d string, id int) string {
	return fmt.Sprintf("INSERT INTO %s.types (id, c_required) VALUES (%d, -1)", d, id)
}

// oracleStep is one phase of changes after the snapshot; each element of
// stmts is one transaction (statements separated by "; ").
type oracleStep struct {
	phase string
	stmts []string
}

// oracleSteps are the changes streamed after the snapshot, phase by phase.
func oracleSteps(d string) []oracleStep {
	return []oracleStep{
		{"insert", []string{
			typesRow(d, 11, "min"), typesRow(d, 12, "max"), typesRow(d, 13, "typical"), typesNulls(d, 14),
			"INSERT INTO " + d + ".multi VALUES (3, 'z', 'three')",
			"INSERT INTO " + d + ".nokey VALUES (2, 'b')",
		}},
		{"update", []string{
			"UPDATE " + d + ".types SET c_text = 'changed', c_int = NULL WHERE id = 3",
			"UPDATE " + d + ".types SET c_required = c_required + 10 WHERE id IN (1, 2)",
			"UPDATE " + d + ".multi SET v = 'uno' WHERE a = 1 AND b = 'x'",
			"UPDATE " + d + ".multi SET a = 9 WHERE a = 2 AND b = 'x'", // key change
			"UPDATE " + d + ".nokey SET v = 'c' WHERE a = 2",
		}},
		{"delete", []string{
			"DELETE FROM " + d + ".types WHERE id IN (11, 14)",
			"DELETE FROM " + d + ".multi WHERE a = 1 AND b = 'y'",
			"DELETE FROM " + d + ".nokey WHERE a = 1",
		}},
		{"transaction", []string{
			"INSERT INTO " + d + ".multi VALUES (5, 't', 'tx'); DELETE FROM " + d + ".multi WHERE a = 3; " +
				"INSERT INTO " + d + ".types (id, c_required) VALUES (20, 20); UPDATE " + d + ".types SET c_required = 21 WHERE id = 20",
		}},
		{"schema change", []string{
			"ALTER TABLE " + d + ".evolve ADD COLUMN b DECIMAL(8,3) NOT NULL DEFAULT 1.5",
			"INSERT INTO " + d + ".evolve VALUES (2, 'added', 2.25)",
			"UPDATE " + d + ".evolve SET a = 'after add' WHERE id = 1",
			"ALTER TABLE " + d + ".evolve DROP COLUMN a",
			"INSERT INTO " + d + ".evolve VALUES (3, 3.125)",
			"ALTER TABLE " + d + ".evolve MODIFY COLUMN b VARCHAR(20)",
			"INSERT INTO " + d + ".evolve VALUES (4, 'now text')",
			"ALTER TABLE " + d + ".evolve CHANGE COLUMN b c VARCHAR(20)",
			"UPDATE " + d + ".evolve SET c = 'renamed' WHERE id = 4",
			"DELETE FROM " + d + ".evolve WHERE id = 2",
		}},
	}
}

// oracleTableNames are the captured tables, in the order they are compared;
// "" is the schema change topic (<topic.prefix>).
var oracleTableNames = []string{"types", "multi", "nokey", "evolve", "mark", ""}

// oracleSnapshotCounts are the records of each table's snapshot, and
// oracleCounts the records of each table at the end (deletes followed by
// tombstones, a key change is a delete, a tombstone and a create); "" is
// the schema change topic.
var (
	oracleSnapshotCounts = map[string]int{"types": 4, "multi": 3, "nokey": 2, "evolve": 1,
		"": 14} // SET, 5 DROP TABLE, DROP/CREATE DATABASE and USE, 5 CREATE TABLE
	oracleCounts = map[string]int{"types": 17, "multi": 13, "nokey": 6, "evolve": 8, "mark": 5, "": 18}
)
