package oracle

import (
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestCompare(t *testing.T) {
	rules := Rules{SourceSkip: []string{"ts_ms", "name"}, SnapshotPosition: []string{"lsn"},
		FerryReplace: []string{`"mariadb"`, `"mysql"`}, Deliberate: map[string]string{"value.payload.source.version": "ours"},
		PhaseDeliberate: map[string]map[string]string{"insert": {"value.payload.source.x": "in this phase"}, "update": {"value.payload.source.y": "not here"}}}
	env := func(prefix, op, src, fields string) string {
		return `{"schema":{"type":"struct","name":"` + prefix + `.db.t.Envelope","fields":[` + fields + `]},` +
			`"payload":{"op":"` + op + `","ts_ms":1,"source":` + src + `}}`
	}
	ab := `{"field":"a","type":"int32"},{"field":"b","type":"string"}`
	for _, tc := range []struct {
		name     string
		dbz, fry string
		want     []string
	}{
		{"prefixes, timing, instance and deliberate fields left out",
			env("dbz1", "c", `{"name":"dbz1","ts_ms":5,"version":"3.6.1.Final","lsn":7}`, ab),
			env("fry1", "c", `{"name":"fry1","ts_ms":9,"version":"ferry","lsn":7}`, ab), nil},
		{"a streaming position must agree",
			env("dbz1", "c", `{"lsn":7}`, ab), env("fry1", "c", `{"lsn":8}`, ab),
			[]string{"value.payload.source.lsn: debezium 7, ferry 8"}},
		{"a snapshot position need only be present",
			env("dbz1", "r", `{"lsn":7}`, ab), env("fry1", "r", `{"lsn":8}`, ab), nil},
		{"a snapshot position present on one side only",
			env("dbz1", "r", `{"lsn":7}`, ab), env("fry1", "r", `{"lsn":null}`, ab),
			[]string{`value.payload.source.lsn: debezium "\u003csnapshot position\u003e", ferry null`}},
		{"ferry's replacements",
			env("dbz1", "c", `{"connector":"mysql"}`, ab), env("fry1", "c", `{"connector":"mariadb"}`, ab), nil},
		{"schema fields by name, then their order",
			env("dbz1", "c", `{}`, ab), env("fry1", "c", `{}`, `{"field":"b","type":"string"},{"field":"a","type":"int64"}`),
			[]string{`value.schema.fields.[a].type: debezium "int32", ferry "int64"`, "value.schema.fields: field order: debezium a,b, ferry b,a"}},
		{"a field on one side only",
			env("dbz1", "c", `{"y":1}`, ab), env("fry1", "c", `{}`, ab), []string{"value.payload.source.y: only debezium has it: 1"}},
		{"a deliberate difference of the phase",
			env("dbz1", "c", `{"x":1}`, ab), env("fry1", "c", `{}`, ab), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rules.Compare(&kgo.Record{Value: []byte(tc.dbz)}, &kgo.Record{Value: []byte(tc.fry)}, "dbz1", "fry1", "insert")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestTally(t *testing.T) {
	tl := NewTally()
	tl.Add("insert", "a", nil)
	tl.Add("insert", "b", []string{"x: y"})
	tl.Add("delete", "c", nil)
	if s := tl.Summary([]string{"insert", "delete", "update"}); s != "insert 1/2, delete 1/1, update 0/0" {
		t.Errorf("summary %q", s)
	}
	if r, n := tl.Differences(10); n != 1 || r != "b: x: y" {
		t.Errorf("differences %q %d", r, n)
	}
}
