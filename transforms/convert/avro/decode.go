package avro

import (
	"time"

	"github.com/ferryhq/ferry/transforms/convert/avro/avsc"

	"github.com/ferryhq/ferry/connectors"
)

// decoder reads Avro binary data written with schema a into Connect values of
// the Connect schema derived from a (toConnectSchema).
type decoder struct {
	r *avsc.Reader
}

func (d *decoder) value(a avsc.Schema, c *connectors.Schema) (any, error) {
	if ref, ok := a.(*avsc.RefSchema); ok {
		a = ref.Schema()
	}
	switch a := a.(type) {
	case *avsc.UnionSchema:
		return d.union(a, c)
	case *avsc.PrimitiveSchema:
		return d.primitive(a, c)
	case *avsc.RecordSchema:
		st := connectors.NewStruct(c)
		for i, f := range a.Fields() {
			v, err := d.value(f.Type(), c.Fields[i].Schema)
			if err != nil {
				return nil, err
			}
			st.Set(i, v)
		}
		return st, nil
	case *avsc.ArraySchema:
		return d.array(a, c)
	case *avsc.MapSchema:
		out := map[string]any{}
		err := d.blocks(func() error {
			k := d.r.ReadString()
			v, err := d.value(a.Values(), c.ValueSchema)
			out[k] = v
			return err
		})
		return out, err
	case *avsc.EnumSchema:
		i := d.r.ReadInt()
		sym, ok := a.Symbol(int(i))
		if !ok {
			return nil, connectors.DataError("Enum index %d out of range for %s", i, a.FullName())
		}
		return sym, nil
	case *avsc.FixedSchema:
		b := make([]byte, a.Size())
		d.r.Read(b)
		return bytesValue(c, b)
	}
	return nil, connectors.DataError("Couldn't translate unsupported schema type %s.", a.Type())
}

func (d *decoder) union(a *avsc.UnionSchema, c *connectors.Schema) (any, error) {
	i := d.r.ReadLong()
	types := a.Types()
	if i < 0 || int(i) >= len(types) {
		return nil, connectors.DataError("Union index %d out of range", i)
	}
	t := types[i]
	if t.Type() == avsc.Null {
		return nil, nil
	}
	if c.Name != unionName || c.Type != connectors.TypeStruct {
		return d.value(t, c) // ["null", T]: c is the optional T
	}
	f := c.Field(unionMemberName(t))
	v, err := d.value(t, f.Schema)
	if err != nil {
		return nil, err
	}
	st := connectors.NewStruct(c)
	st.Set(f.Index, v)
	return st, nil
}

func (d *decoder) primitive(a *avsc.PrimitiveSchema, c *connectors.Schema) (any, error) {
	switch a.Type() {
	case avsc.Int:
		i := d.r.ReadInt()
		switch {
		case c.Name == connectors.DateName:
			return connectors.DaysToDate(i), nil
		case c.Name == connectors.TimeName:
			return connectors.MillisToTime(i), nil
		case c.Type == connectors.TypeInt8:
			return int8(i), nil
		case c.Type == connectors.TypeInt16:
			return int16(i), nil
		}
		return i, nil
	case avsc.Long:
		l := d.r.ReadLong()
		if c.Name == connectors.TimestampName {
			return time.UnixMilli(l).UTC(), nil
		}
		return l, nil
	case avsc.Float:
		return d.r.ReadFloat(), nil
	case avsc.Double:
		return d.r.ReadDouble(), nil
	case avsc.Boolean:
		return d.r.ReadBool(), nil
	case avsc.String:
		return d.r.ReadString(), nil
	case avsc.Bytes:
		return bytesValue(c, d.r.ReadBytes())
	case avsc.Null:
		return nil, nil
	}
	return nil, connectors.DataError("Couldn't translate unsupported schema type %s.", a.Type())
}

func bytesValue(c *connectors.Schema, b []byte) (any, error) {
	if c.Name != connectors.DecimalName {
		return b, nil
	}
	scale, err := connectors.DecimalScale(c)
	if err != nil {
		return nil, err
	}
	return connectors.DecimalFromBytes(b, scale), nil
}

func (d *decoder) array(a *avsc.ArraySchema, c *connectors.Schema) (any, error) {
	if c.Type == connectors.TypeMap {
		items := a.Items()
		if ref, ok := items.(*avsc.RefSchema); ok {
			items = ref.Schema()
		}
		fs := items.(*avsc.RecordSchema).Fields()
		var out connectors.MapEntries
		err := d.blocks(func() error {
			k, err := d.value(fs[0].Type(), c.KeySchema)
			if err != nil {
				return err
			}
			v, err := d.value(fs[1].Type(), c.ValueSchema)
			out = append(out, connectors.MapEntry{Key: k, Value: v})
			return err
		})
		if err != nil {
			return nil, err
		}
		return entriesValue(c, out), nil
	}
	out := []any{}
	err := d.blocks(func() error {
		v, err := d.value(a.Items(), c.ValueSchema)
		out = append(out, v)
		return err
	})
	return out, err
}

// entriesValue returns a map with string keys as map[string]any, the record
// model's representation for it.
func entriesValue(c *connectors.Schema, es connectors.MapEntries) any {
	if c.KeySchema.Type != connectors.TypeString {
		return es
	}
	m := make(map[string]any, len(es))
	for _, e := range es {
		k, ok := e.Key.(string)
		if !ok {
			return es // a null key: keep the entries
		}
		m[k] = e.Value
	}
	return m
}

// blocks reads Avro array/map blocks, calling item once per item.
func (d *decoder) blocks(item func() error) error {
	for {
		n, _ := d.r.ReadBlockHeader()
		if d.r.Error != nil {
			return d.r.Error
		}
		if n == 0 {
			return nil
		}
		for ; n > 0; n-- {
			if err := item(); err != nil {
				return err
			}
		}
	}
}
