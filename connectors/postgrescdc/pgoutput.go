package postgrescdc

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/jackc/pglogrepl"
)

// errShortRow is a row message that ends inside a field.
var errShortRow = errors.New("pgoutput row message ends early")

// rowChange is one decoded Insert, Update or Delete message.
type rowChange struct {
	op       string // c, u, d
	rel      uint32
	oldType  uint8 // 'K', 'O' or 0
	old, new *pglogrepl.TupleData
}

// rowDecoder reads pgoutput's Insert, Update and Delete messages into
// tuples it reuses, whose column data are views of the message (valid until
// the next message is received): pglogrepl.Parse allocates every column
// and copies its bytes, about ten allocations a change.
type rowDecoder struct {
	tuples [2]pglogrepl.TupleData
	cols   [2][]pglogrepl.TupleDataColumn
	ptrs   [2][]*pglogrepl.TupleDataColumn
}

// decode reads a row message; ok is false for any other message type.
func (d *rowDecoder) decode(src []byte) (rc rowChange, ok bool, err error) {
	if len(src) < 6 {
		return rc, false, nil
	}
	rc.rel = binary.BigEndian.Uint32(src[1:5])
	kind, rest := src[5], src[6:]
	switch src[0] {
	case 'I':
		rc.op = "c"
		if kind != 'N' {
			return rc, true, fmt.Errorf("insert: tuple type %q, want N", kind)
		}
		rc.new, _, err = d.tuple(1, rest)
	case 'U':
		rc.op = "u"
		if kind == 'K' || kind == 'O' {
			rc.oldType = kind
			var n int
			if rc.old, n, err = d.tuple(0, rest); err != nil {
				return rc, true, err
			}
			if len(rest) <= n || rest[n] != 'N' {
				return rc, true, fmt.Errorf("update: no new tuple after the old one")
			}
			kind, rest = 'N', rest[n+1:]
		}
		if kind != 'N' {
			return rc, true, fmt.Errorf("update: tuple type %q, want K, O or N", kind)
		}
		rc.new, _, err = d.tuple(1, rest)
	case 'D':
		rc.op = "d"
		if kind != 'K' && kind != 'O' {
			return rc, true, fmt.Errorf("delete: tuple type %q, want K or O", kind)
		}
		rc.oldType = kind
		rc.old, _, err = d.tuple(0, rest)
	default:
		return rc, false, nil
	}
	return rc, true, err
}

// tuple reads TupleData into reused tuple i and returns its length.
func (d *rowDecoder) tuple(i int, src []byte) (*pglogrepl.TupleData, int, error) {
	if len(src) < 2 {
		return nil, 0, errShortRow
	}
	n := int(binary.BigEndian.Uint16(src))
	cols, at := d.cols[i][:0], 2
	for range n {
		if at >= len(src) {
			return nil, 0, errShortRow
		}
		col := pglogrepl.TupleDataColumn{DataType: src[at]}
		at++
		switch col.DataType {
		case pglogrepl.TupleDataTypeText, pglogrepl.TupleDataTypeBinary:
			if len(src)-at < 4 {
				return nil, 0, errShortRow
			}
			col.Length = binary.BigEndian.Uint32(src[at:])
			at += 4
			if uint64(len(src)-at) < uint64(col.Length) {
				return nil, 0, errShortRow
			}
			end := at + int(col.Length)
			col.Data, at = src[at:end:end], end
		case pglogrepl.TupleDataTypeNull, pglogrepl.TupleDataTypeToast:
		default:
			return nil, 0, fmt.Errorf("pgoutput column kind %q, want n, u, t or b", col.DataType)
		}
		cols = append(cols, col)
	}
	ptrs := d.ptrs[i][:0]
	for k := range cols {
		ptrs = append(ptrs, &cols[k])
	}
	d.cols[i], d.ptrs[i] = cols, ptrs
	d.tuples[i] = pglogrepl.TupleData{ColumnNum: uint16(n), Columns: ptrs}
	return &d.tuples[i], at, nil
}
