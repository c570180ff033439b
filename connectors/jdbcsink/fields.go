package jdbcsink

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

// column is one table column the records fill.
type column struct {
	name   string
	schema *connectors.Schema
}

// shape is how records of one (table, key schema, value schema) become rows:
// the primary key columns, then the other columns.
type shape struct {
	table  dialect.TableID
	keys   []column
	values []column
}

// Default primary key column names, as Confluent names them.
var (
	kafkaPK = []string{"__connect_topic", "__connect_partition", "__connect_offset"}
	keyPK   = "__connect_key"
)

type shapeKey struct {
	table     string
	key, val  *connectors.Schema
	tombstone bool
}

// shapeOf returns the row shape of r, cached per schema pair.
func (t *Task) shapeOf(r *connectors.Record, table string) (*shape, error) {
	k := shapeKey{table, r.KeySchema, r.ValueSchema, r.Value == nil}
	if sh, ok := t.shapes[k]; ok {
		return sh, nil
	}
	sh := &shape{table: t.dialect.ParseTableID(table)}
	if err := t.keyColumns(sh, r); err != nil {
		return nil, err
	}
	if r.Value != nil {
		if err := t.valueColumns(sh, r); err != nil {
			return nil, err
		}
	}
	t.shapes[k] = sh
	return sh, nil
}

func (t *Task) keyColumns(sh *shape, r *connectors.Record) error {
	cfg := t.cfg
	switch cfg.PKMode {
	case "kafka":
		names := kafkaPK
		if len(cfg.PKFields) == 3 {
			names = cfg.PKFields
		}
		sh.keys = []column{{names[0], connectors.StringSchema}, {names[1], connectors.Int32Schema}, {names[2], connectors.Int64Schema}}
	case "record_key":
		s := r.KeySchema
		if s == nil || r.Key == nil {
			return fmt.Errorf("%w: pk.mode record_key needs a key with a schema (topic %s partition %d offset %d has none)", ErrRecord, r.Topic, r.Partition, r.Offset)
		}
		if s.Type != connectors.TypeStruct {
			name := keyPK
			if len(cfg.PKFields) > 0 {
				name = cfg.PKFields[0]
			}
			sh.keys = []column{{name, s}}
			return nil
		}
		cols, err := structColumns(s, cfg.PKFields, "key")
		sh.keys = cols
		return err
	case "record_value":
		if r.Value == nil {
			return nil
		}
		if r.ValueSchema == nil || r.ValueSchema.Type != connectors.TypeStruct {
			return fmt.Errorf("%w: pk.mode record_value needs Struct values with a schema", ErrRecord)
		}
		cols, err := structColumns(r.ValueSchema, cfg.PKFields, "value")
		sh.keys = cols
		return err
	}
	return nil
}

func (t *Task) valueColumns(sh *shape, r *connectors.Record) error {
	s := r.ValueSchema
	if s == nil || s.Type != connectors.TypeStruct {
		return fmt.Errorf("%w: the value of topic %s partition %d offset %d is not a Struct with a schema: use a converter with schemas (JsonConverter schemas.enable=true, Avro)",
			ErrRecord, r.Topic, r.Partition, r.Offset)
	}
	for _, f := range s.Fields {
		if slices.ContainsFunc(sh.keys, func(c column) bool { return c.name == f.Name }) {
			continue
		}
		if len(t.cfg.Whitelist) > 0 && !slices.Contains(t.cfg.Whitelist, f.Name) {
			continue
		}
		sh.values = append(sh.values, column{f.Name, f.Schema})
	}
	return nil
}

// structColumns picks the named fields of s (all when names is empty).
func structColumns(s *connectors.Schema, names []string, what string) ([]column, error) {
	if len(names) == 0 {
		cols := make([]column, len(s.Fields))
		for i, f := range s.Fields {
			cols[i] = column{f.Name, f.Schema}
		}
		return cols, nil
	}
	cols := make([]column, len(names))
	for i, n := range names {
		f := s.Field(n)
		if f == nil {
			return nil, fmt.Errorf("%w: pk.fields names %q, which the record %s has no field for", ErrRecord, n, what)
		}
		cols[i] = column{n, f.Schema}
	}
	return cols, nil
}

// row returns the bind values of r: the key columns, then (unless it is a
// delete) the value columns.
func (sh *shape) row(r *connectors.Record, mode string) ([]any, error) {
	out := make([]any, 0, len(sh.keys)+len(sh.values))
	switch mode {
	case "kafka":
		out = append(out, r.Topic, r.Partition, r.Offset)
	case "record_key":
		if st, ok := r.Key.(*connectors.Struct); ok {
			for _, c := range sh.keys {
				v, err := st.Get(c.name)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
		} else {
			out = append(out, r.Key)
		}
	}
	st, _ := r.Value.(*connectors.Struct)
	if mode == "record_value" && st != nil {
		for _, c := range sh.keys {
			v, _ := st.Get(c.name)
			out = append(out, v)
		}
	}
	if st != nil {
		for _, c := range sh.values {
			v, _ := st.Get(c.name)
			out = append(out, v)
		}
	}
	cols := append(append([]column(nil), sh.keys...), sh.values...)
	for i, v := range out {
		dv, err := dbValue(cols[i], v)
		if err != nil {
			return nil, err
		}
		out[i] = dv
	}
	return out, nil
}

// dbValue converts a Connect value to a database/sql bind value.
func dbValue(c column, v any) (any, error) {
	switch x := v.(type) {
	case nil, string, []byte, bool, int64, float64:
		return v, nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case connectors.Decimal:
		return x.String(), nil
	case time.Time:
		if c.schema.Name == connectors.TimeName {
			return x.UTC().Format("15:04:05.000"), nil
		}
		return x.UTC(), nil
	}
	return nil, fmt.Errorf("%w: column %q: a %T value has no SQL column type (STRUCT, ARRAY and MAP fields cannot be written)", ErrRecord, c.name, v)
}

// keyText identifies a row by its key values, to keep the last of several
// upserts of one key in a batch.
func keyText(row []any, nkeys int) string {
	var b strings.Builder
	for _, v := range row[:nkeys] {
		fmt.Fprintf(&b, "%T:%v\x00", v, v)
	}
	return b.String()
}
