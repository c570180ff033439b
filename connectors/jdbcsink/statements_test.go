package jdbcsink

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

func testShape(d *dialect.Dialect) *shape {
	return &shape{table: d.ParseTableID("orders"),
		keys: []column{{"id", connectors.Int64Schema}},
		values: []column{{"name", connectors.StringSchema}, {"price", connectors.DecimalSchema(2).MustBuild()},
			{"at", connectors.TimestampSchema().MustBuild()}, {"note", connectors.OptionalStringSchema}}}
}

// The SQL of every statement in both dialects, as golden text.
func TestStatementsGolden(t *testing.T) {
	var out strings.Builder
	for _, d := range []*dialect.Dialect{dialect.PostgreSQL, dialect.MySQL} {
		task := &Task{dialect: d, quoting: dialect.QuoteAlways}
		sh := testShape(d)
		out.WriteString("-- " + d.Name + "\n")
		for _, s := range []string{task.createTable(sh), task.insertSQL(sh, opInsert, 2), task.insertSQL(sh, opUpsert, 1),
			task.updateSQL(sh), task.deleteSQL(sh), task.insertSQL(&shape{table: sh.table, keys: sh.keys}, opUpsert, 1)} {
			out.WriteString(s + ";\n")
		}
	}
	got := []byte(out.String())
	if os.Getenv("UPDATE_GOLDEN") != "" {
		os.WriteFile("testdata/statements.golden.sql", got, 0o644)
	}
	want, err := os.ReadFile("testdata/statements.golden.sql")
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("statements differ (%v):\n%s", err, got)
	}
}

// A kept statement is the one built for its shape, operation and row count,
// and the task keeps at most maxInserts of them.
func TestInsertSQLKept(t *testing.T) {
	task := &Task{dialect: dialect.PostgreSQL, quoting: dialect.QuoteAlways}
	sh, other := testShape(dialect.PostgreSQL), testShape(dialect.PostgreSQL)
	cases := []struct {
		sh *shape
		op string
		n  int
	}{{sh, opUpsert, 3}, {sh, opInsert, 3}, {sh, opUpsert, 2}, {other, opUpsert, 3}, {sh, opUpsert, 3}}
	for _, c := range cases {
		if got, want := task.insertSQL(c.sh, c.op, c.n), task.buildInsert(c.sh, c.op, c.n); got != want {
			t.Errorf("%s of %d rows: %s, want %s", c.op, c.n, got, want)
		}
	}
	for n := 1; n <= 2*maxInserts; n++ {
		task.insertSQL(sh, opInsert, n)
	}
	if len(task.inserts) > maxInserts {
		t.Fatalf("%d statements kept, want at most %d", len(task.inserts), maxInserts)
	}
}

func TestShapes(t *testing.T) {
	val := connectors.StructBuilder().Field("id", connectors.Int64Schema).Field("name", connectors.StringSchema).
		Field("secret", connectors.OptionalStringSchema).MustBuild()
	v := connectors.NewStruct(val).MustPut("id", int64(7)).MustPut("name", "n")
	rec := &connectors.Record{Topic: "t", Partition: 1, Offset: 9, KeySchema: connectors.Int64Schema, Key: int64(7), ValueSchema: val, Value: v}
	cases := []struct {
		cfg        Config
		keys, vals string
		row        string
	}{
		{Config{PKMode: "none"}, "", "id,name,secret", "[7 n <nil>]"},
		{Config{PKMode: "kafka"}, "__connect_topic,__connect_partition,__connect_offset", "id,name,secret", "[t 1 9 7 n <nil>]"},
		{Config{PKMode: "record_key", PKFields: []string{"id"}}, "id", "name,secret", "[7 n <nil>]"},
		{Config{PKMode: "record_key"}, "__connect_key", "id,name,secret", "[7 7 n <nil>]"},
		{Config{PKMode: "record_value", PKFields: []string{"id"}, Whitelist: []string{"name"}}, "id", "name", "[7 n]"},
	}
	for _, c := range cases {
		task := &Task{cfg: &c.cfg, dialect: dialect.PostgreSQL, shapes: map[shapeKey]*shape{}}
		sh, err := task.shapeOf(rec, "t")
		if err != nil {
			t.Fatal(err)
		}
		if got := names(sh.keys); got != c.keys {
			t.Errorf("%s keys %s, want %s", c.cfg.PKMode, got, c.keys)
		}
		if got := names(sh.values); got != c.vals {
			t.Errorf("%s values %s, want %s", c.cfg.PKMode, got, c.vals)
		}
		row, err := sh.row(rec, c.cfg.PKMode)
		if err != nil || fmt.Sprint(row) != c.row {
			t.Errorf("%s row %v %v, want %s", c.cfg.PKMode, row, err, c.row)
		}
	}
	task := &Task{cfg: &Config{PKMode: "record_value"}, dialect: dialect.PostgreSQL, shapes: map[shapeKey]*shape{}}
	if _, err := task.shapeOf(&connectors.Record{Value: map[string]any{"a": 1}}, "t"); !errors.Is(err, ErrRecord) {
		t.Errorf("schemaless value: got %v, want ErrRecord", err)
	}
}

func names(cols []column) string {
	var s []string
	for _, c := range cols {
		s = append(s, c.name)
	}
	return strings.Join(s, ",")
}

func TestConfigCheck(t *testing.T) {
	cases := []struct {
		props map[string]string
		key   string
	}{
		{map[string]string{"delete.enabled": "true", "pk.mode": "record_value"}, "delete.enabled"},
		{map[string]string{"insert.mode": "upsert"}, "pk.mode"},
		{map[string]string{"connection.url": "jdbc:oracle:thin:@h:1521/x"}, "connection.url"},
		{map[string]string{"db.timezone": "Europe/Paris"}, "db.timezone"},
	}
	for _, c := range cases {
		props := map[string]string{"connection.url": "jdbc:postgresql://h/db"}
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
