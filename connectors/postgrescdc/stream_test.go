package postgrescdc

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/jackc/pglogrepl"
)

// source.sequence is the JSON encoding/json writes for Debezium's
// [lastCommitLsn, lsn] strings, null when the previous commit is unknown.
func TestSequence(t *testing.T) {
	for _, p := range []position{
		{lsn: 24023128},
		{lsn: 24023128, lastCommit: 24023119},
		{lsn: math.MaxUint64, lastCommit: math.MaxUint64},
		{lsn: 0, lastCommit: 1},
	} {
		seq := []any{nil, jsonNumber(p.lsn)}
		if p.lastCommit != 0 {
			seq[0] = jsonNumber(p.lastCommit)
		}
		want, _ := json.Marshal(seq)
		if got := sequence(p); got != string(want) {
			t.Errorf("sequence(%+v) = %s, want %s", p, got, want)
		}
	}
}

func jsonNumber(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// tupleTexts names each text column, leaves NULLs out, lists unchanged
// TOASTed columns and ignores columns past the relation's names.
func TestTupleTexts(t *testing.T) {
	tk := &Task{}
	tk.stream.rel = map[uint32][]string{7: {"id", "label", "note", "big", "empty"}}
	td := &pglogrepl.TupleData{Columns: []*pglogrepl.TupleDataColumn{
		{DataType: pglogrepl.TupleDataTypeText, Data: []byte("42")},
		{DataType: pglogrepl.TupleDataTypeText, Data: []byte("label-42")},
		{DataType: pglogrepl.TupleDataTypeNull},
		{DataType: pglogrepl.TupleDataTypeToast},
		{DataType: pglogrepl.TupleDataTypeText, Data: []byte{}},
		{DataType: pglogrepl.TupleDataTypeText, Data: []byte("extra")},
	}}
	vals, toasted := tk.tupleTexts(7, td)
	want := map[string]string{"id": "42", "label": "label-42", "empty": ""}
	if len(vals) != len(want) {
		t.Fatalf("vals %v, want %v", vals, want)
	}
	for k, v := range want {
		if vals[k] == nil || *vals[k] != v {
			t.Errorf("vals[%s] = %v, want %q", k, vals[k], v)
		}
	}
	if len(toasted) != 1 || !toasted["big"] {
		t.Errorf("toasted %v, want big", toasted)
	}
	td.Columns[1].Data[0] = 'X' // the texts are copies, not views of the message
	if *vals["label"] != "label-42" {
		t.Errorf("label changed with the message: %q", *vals["label"])
	}
}
