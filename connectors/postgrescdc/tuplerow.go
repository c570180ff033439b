package postgrescdc

import (
	"slices"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/jackc/pglogrepl"
)

// tupleLayout maps a table's value fields to the columns of its relation
// message, by name, so a streamed tuple becomes a row without a map of
// texts by column name.
type tupleLayout struct {
	t     *table
	names []string // the relation's column names in tuple order
	pos   []int    // value field index -> tuple column index, -1 when absent
}

// layout is rel's tuple layout for t, rebuilt when either changed.
func (s *streamState) layout(t *table, rel uint32) *tupleLayout {
	names := s.rel[rel]
	if l := s.layouts[rel]; l != nil && l.t == t && slices.Equal(l.names, names) {
		return l
	}
	l := &tupleLayout{t: t, names: names, pos: make([]int, len(t.value.Fields))}
	for i, f := range t.value.Fields {
		l.pos[i] = slices.Index(names, f.Name)
	}
	if s.layouts == nil {
		s.layouts = map[uint32]*tupleLayout{}
	}
	s.layouts[rel] = l
	return l
}

// tupleRow builds the Value struct of a streamed tuple as row does from
// texts by name: the texts share one string, read by field position.
func (s *streamState) tupleRow(t *table, rel uint32, td *pglogrepl.TupleData) (*connectors.Struct, error) {
	l := s.layout(t, rel)
	size := 0
	for _, c := range td.Columns {
		if c.DataType == pglogrepl.TupleDataTypeText {
			size += len(c.Data)
		}
	}
	var all strings.Builder // one allocation: the texts share one string
	all.Grow(size)
	for _, c := range td.Columns {
		if c.DataType == pglogrepl.TupleDataTypeText {
			all.Write(c.Data)
		}
	}
	text := all.String()
	starts := s.starts[:0]
	at := 0
	for _, c := range td.Columns {
		starts = append(starts, at)
		if c.DataType == pglogrepl.TupleDataTypeText {
			at += len(c.Data)
		}
	}
	s.starts = starts
	st := connectors.NewStruct(t.value)
	for i, f := range t.value.Fields {
		p := l.pos[i]
		if p < 0 || p >= len(td.Columns) || p >= len(l.names) {
			if !f.Schema.Optional && f.Schema.Default == nil {
				st.Set(f.Index, debezium.Fallback(f.Schema))
			}
			continue
		}
		switch c := td.Columns[p]; c.DataType {
		case pglogrepl.TupleDataTypeText:
			if err := t.set(st, i, text[starts[p]:starts[p]+len(c.Data)]); err != nil {
				return nil, err
			}
		case pglogrepl.TupleDataTypeToast:
			if f.Schema.Type == connectors.TypeString {
				st.Set(f.Index, Unavailable)
			} else if !f.Schema.Optional && f.Schema.Default == nil {
				st.Set(f.Index, debezium.Fallback(f.Schema))
			}
		default: // null
			if !f.Schema.Optional && f.Schema.Default == nil {
				st.Set(f.Index, debezium.Fallback(f.Schema))
			}
		}
	}
	return st, nil
}
