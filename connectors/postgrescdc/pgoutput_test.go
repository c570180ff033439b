package postgrescdc

import (
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/jackc/pglogrepl"
)

// pgTuple writes TupleData: nil is NULL, "\x00toast" an unchanged TOASTed
// value, anything else text.
func pgTuple(vals ...*string) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(vals)))
	for _, v := range vals {
		switch {
		case v == nil:
			b = append(b, 'n')
		case *v == "\x00toast":
			b = append(b, 'u')
		default:
			b = binary.BigEndian.AppendUint32(append(b, 't'), uint32(len(*v)))
			b = append(b, *v...)
		}
	}
	return b
}

func pgRow(kind byte, rel uint32, parts ...[]byte) []byte {
	b := binary.BigEndian.AppendUint32([]byte{kind}, rel)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// The row decoder reads what pglogrepl.Parse reads: relation, operation,
// old tuple type and every column's kind and bytes.
func TestRowDecoderMatchesPglogrepl(t *testing.T) {
	s := func(v string) *string { return &v }
	toast := s("\x00toast")
	row := pgTuple(s("42"), s("label-42"), nil, toast, s(""))
	key := pgTuple(s("41"), nil, nil, nil, nil)
	var d rowDecoder
	for _, msg := range [][]byte{
		pgRow('I', 7, []byte{'N'}, row),
		pgRow('U', 7, []byte{'N'}, row),
		pgRow('U', 7, []byte{'K'}, key, []byte{'N'}, row),
		pgRow('U', 8, []byte{'O'}, row, []byte{'N'}, row),
		pgRow('D', 9, []byte{'K'}, key),
		pgRow('D', 9, []byte{'O'}, row),
	} {
		rc, ok, err := d.decode(msg)
		if !ok || err != nil {
			t.Fatalf("decode(%q) = %v, %v", msg, ok, err)
		}
		parsed, err := pglogrepl.Parse(msg)
		if err != nil {
			t.Fatal(err)
		}
		var want rowChange
		switch m := parsed.(type) {
		case *pglogrepl.InsertMessage:
			want = rowChange{op: "c", rel: m.RelationID, new: m.Tuple}
		case *pglogrepl.UpdateMessage:
			want = rowChange{op: "u", rel: m.RelationID, oldType: m.OldTupleType, old: m.OldTuple, new: m.NewTuple}
		case *pglogrepl.DeleteMessage:
			want = rowChange{op: "d", rel: m.RelationID, oldType: m.OldTupleType, old: m.OldTuple}
		}
		if rc.op != want.op || rc.rel != want.rel || rc.oldType != want.oldType || !sameTuple(rc.old, want.old) || !sameTuple(rc.new, want.new) {
			t.Errorf("decode(%q) = %+v, pglogrepl %+v", msg, rc, want)
		}
	}
}

func sameTuple(a, b *pglogrepl.TupleData) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if a.ColumnNum != b.ColumnNum || len(a.Columns) != len(b.Columns) {
		return false
	}
	for i := range a.Columns {
		x, y := *a.Columns[i], *b.Columns[i]
		if len(x.Data) == 0 && len(y.Data) == 0 {
			x.Data, y.Data = nil, nil
		}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

// A truncated or malformed row message is an error, never a panic; other
// messages are left to pglogrepl.
func TestRowDecoderBadInput(t *testing.T) {
	s := func(v string) *string { return &v }
	full := pgRow('U', 7, []byte{'K'}, pgTuple(s("41")), []byte{'N'}, pgTuple(s("42"), s("label")))
	var d rowDecoder
	for n := 6; n < len(full); n++ {
		if _, ok, err := d.decode(full[:n]); !ok || err == nil {
			t.Errorf("decode of %d of %d bytes: ok %v, err %v", n, len(full), ok, err)
		}
	}
	for _, msg := range [][]byte{
		pgRow('I', 7, []byte{'K'}, pgTuple(s("1"))),
		pgRow('D', 7, []byte{'N'}, pgTuple(s("1"))),
		pgRow('U', 7, []byte{'X'}, pgTuple(s("1"))),
		pgRow('I', 7, []byte{'N', 0, 1, 'z'}),
	} {
		if _, ok, err := d.decode(msg); !ok || err == nil {
			t.Errorf("decode(%q): ok %v, err %v", msg, ok, err)
		}
	}
	for _, msg := range [][]byte{{'B', 0, 0, 0, 0, 0, 0, 0, 0}, {'I', 0}, {'C'}} {
		if _, ok, _ := d.decode(msg); ok {
			t.Errorf("decode(%q) took a message that is not a row", msg)
		}
	}
}
