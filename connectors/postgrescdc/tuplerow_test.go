package postgrescdc

import (
	"reflect"
	"testing"

	"github.com/jackc/pglogrepl"
)

// tupleRow builds the struct row builds from tupleTexts, for text, NULL,
// unchanged TOASTed and missing columns, a relation whose columns are in
// another order than the table's, and columns past the relation's names.
func TestTupleRowAsRow(t *testing.T) {
	cfg := Config{TopicPrefix: "p", DBName: "db", DecimalHandling: "precise", TimePrecision: "adaptive"}
	tbl := &table{oid: 7, schema: "public", name: "t", cols: []*column{
		{name: "id", oid: oidInt4, typmod: -1, key: true},
		{name: "label", oid: oidText, typmod: -1},
		{name: "note", oid: oidText, typmod: -1, nullable: true},
		{name: "big", oid: oidText, typmod: -1},
		{name: "qty", oid: oidInt8, typmod: -1},
		{name: "flag", oid: oidBool, typmod: -1, nullable: true},
	}}
	tbl.build(&cfg)
	text := func(s string) *pglogrepl.TupleDataColumn {
		return &pglogrepl.TupleDataColumn{DataType: pglogrepl.TupleDataTypeText, Data: []byte(s)}
	}
	null := &pglogrepl.TupleDataColumn{DataType: pglogrepl.TupleDataTypeNull}
	toast := &pglogrepl.TupleDataColumn{DataType: pglogrepl.TupleDataTypeToast}
	for _, tc := range []struct {
		name  string
		names []string
		cols  []*pglogrepl.TupleDataColumn
	}{
		{"every value", []string{"id", "label", "note", "big", "qty", "flag"},
			[]*pglogrepl.TupleDataColumn{text("1"), text("a"), text("n"), text("b"), text("9"), text("t")}},
		{"nulls and toast", []string{"id", "label", "note", "big", "qty", "flag"},
			[]*pglogrepl.TupleDataColumn{text("2"), null, null, toast, toast, toast}},
		{"reordered, one missing", []string{"qty", "id", "big", "label"},
			[]*pglogrepl.TupleDataColumn{text("7"), text("3"), text(""), text("x")}},
		{"more columns than names", []string{"id", "label"},
			[]*pglogrepl.TupleDataColumn{text("4"), text("l"), text("extra"), text("9")}},
	} {
		tk := &Task{}
		tk.stream.rel = map[uint32][]string{7: tc.names}
		td := &pglogrepl.TupleData{Columns: tc.cols}
		want, err := tbl.row(tk.tupleTexts(7, td))
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second from the cached layout
			got, err := tk.stream.tupleRow(tbl, 7, td)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: tupleRow %v, row %v", tc.name, got, want)
			}
		}
	}
}
