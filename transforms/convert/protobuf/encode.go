package protobuf

import (
	"strconv"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/ferryhq/ferry/connectors"
)

// fill sets the fields of m from st (ProtobufData.fromConnectData): a null
// field is left unset, as proto3 has no null.
func fill(m *dynamicpb.Message, s *connectors.Schema, st *connectors.Struct) error {
	if !connectors.Equal(st.Schema(), s) {
		return connectors.DataError("Mismatching struct schema")
	}
	fields := m.Descriptor().Fields()
	for i, f := range s.Fields {
		v := st.At(i)
		if v == nil {
			v = f.Schema.Default
		}
		if v == nil {
			if !f.Schema.Optional {
				return connectors.DataError("Conversion error: null value for field that is required and has no default value")
			}
			continue
		}
		fd := fields.ByName(protoreflect.Name(f.Name))
		if err := setField(m, fd, f.Schema, v); err != nil {
			return err
		}
	}
	return nil
}

func setField(m *dynamicpb.Message, fd protoreflect.FieldDescriptor, s *connectors.Schema, v any) error {
	switch {
	case fd.IsMap():
		mv := m.Mutable(fd).Map()
		return eachEntry(s, v, func(k, e any) error {
			kv, err := scalar(fd.MapKey(), s.KeySchema, k)
			if err != nil {
				return err
			}
			if e == nil {
				return connectors.DataError("Protobuf maps cannot hold null values")
			}
			ev, err := single(mv.NewValue, fd.MapValue(), s.ValueSchema, e)
			if err != nil {
				return err
			}
			mv.Set(kv.MapKey(), ev)
			return nil
		})
	case fd.IsList():
		arr, ok := v.([]any)
		if !ok {
			return mismatch(s, v)
		}
		lv := m.Mutable(fd).List()
		for _, e := range arr {
			if e == nil {
				return connectors.DataError("Protobuf repeated fields cannot hold null values")
			}
			ev, err := single(lv.NewElement, fd, s.ValueSchema, e)
			if err != nil {
				return err
			}
			lv.Append(ev)
		}
		return nil
	}
	ev, err := single(func() protoreflect.Value { return m.NewField(fd) }, fd, s, v)
	if err != nil {
		return err
	}
	m.Set(fd, ev)
	return nil
}

// single converts one non-repeated value; newMsg makes the message for message kinds.
func single(newMsg func() protoreflect.Value, fd protoreflect.FieldDescriptor, s *connectors.Schema, v any) (protoreflect.Value, error) {
	if fd.Kind() != protoreflect.MessageKind {
		return scalar(fd, s, v)
	}
	mv := newMsg()
	m := mv.Message().Interface().(*dynamicpb.Message)
	var err error
	switch s.Name {
	case connectors.DecimalName:
		err = setDecimal(m, s, v)
	case connectors.DateName, connectors.TimeName, connectors.TimestampName:
		err = setTime(m, s.Name, v)
	default:
		st, ok := v.(*connectors.Struct)
		if !ok {
			return protoreflect.Value{}, mismatch(s, v)
		}
		err = fill(m, s, st)
	}
	return mv, err
}

func scalar(fd protoreflect.FieldDescriptor, s *connectors.Schema, v any) (protoreflect.Value, error) {
	switch x := v.(type) {
	case int8:
		return protoreflect.ValueOfInt32(int32(x)), nil
	case int16:
		return protoreflect.ValueOfInt32(int32(x)), nil
	case int32:
		return protoreflect.ValueOfInt32(x), nil
	case int64:
		return protoreflect.ValueOfInt64(x), nil
	case float32:
		return protoreflect.ValueOfFloat32(x), nil
	case float64:
		return protoreflect.ValueOfFloat64(x), nil
	case bool:
		return protoreflect.ValueOfBool(x), nil
	case string:
		return protoreflect.ValueOfString(x), nil
	case []byte:
		return protoreflect.ValueOfBytes(x), nil
	}
	return protoreflect.Value{}, mismatch(s, v)
}

func setDecimal(m *dynamicpb.Message, s *connectors.Schema, v any) error {
	d, ok := v.(connectors.Decimal)
	if !ok {
		return mismatch(s, v)
	}
	fs := m.Descriptor().Fields()
	m.Set(fs.ByName("value"), protoreflect.ValueOfBytes(connectors.DecimalToBytes(d)))
	if p, ok := s.Parameters[precisionParam]; ok {
		if n, err := strconv.ParseUint(p, 10, 32); err == nil {
			m.Set(fs.ByName("precision"), protoreflect.ValueOfUint32(uint32(n)))
		}
	}
	m.Set(fs.ByName("scale"), protoreflect.ValueOfInt32(d.Scale))
	return nil
}

func setTime(m *dynamicpb.Message, name string, v any) error {
	t, ok := v.(time.Time)
	if !ok {
		return connectors.DataError("Invalid type for %s: %T", name, v)
	}
	t = t.UTC()
	fs := m.Descriptor().Fields()
	set := func(f string, n int32) {
		if n != 0 {
			m.Set(fs.ByName(protoreflect.Name(f)), protoreflect.ValueOfInt32(n))
		}
	}
	switch name {
	case connectors.DateName:
		set("year", int32(t.Year()))
		set("month", int32(t.Month()))
		set("day", int32(t.Day()))
	case connectors.TimeName:
		set("hours", int32(t.Hour()))
		set("minutes", int32(t.Minute()))
		set("seconds", int32(t.Second()))
		set("nanos", int32(t.Nanosecond()))
	default:
		if sec := t.Unix(); sec != 0 {
			m.Set(fs.ByName("seconds"), protoreflect.ValueOfInt64(sec))
		}
		set("nanos", int32(t.Nanosecond()))
	}
	return nil
}

func eachEntry(s *connectors.Schema, v any, fn func(k, e any) error) error {
	switch m := v.(type) {
	case map[string]any:
		for k, e := range m {
			if err := fn(k, e); err != nil {
				return err
			}
		}
		return nil
	case connectors.MapEntries:
		for _, e := range m {
			if err := fn(e.Key, e.Value); err != nil {
				return err
			}
		}
		return nil
	}
	return mismatch(s, v)
}

func mismatch(s *connectors.Schema, v any) error {
	return connectors.DataError("Invalid type for %s: %T", s.Type, v)
}
