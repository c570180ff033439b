package protobuf

import (
	"regexp"
	"strconv"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ferryhq/ferry/connectors"
)

var connectDefault = regexp.MustCompile(`(^|\.)ConnectDefault[0-9]+$`)

// toConnect is ProtobufData.toConnectSchema: a message is a STRUCT named by
// its full name (a nested message's includes its parent's; ConnectDefaultN
// stays unnamed), every field optional (proto3
// fields are), int32 fields annotated connect.type int8/int16 narrowed back,
// the well-known messages mapped to Decimal, Date, Time and Timestamp.
func toConnect(md protoreflect.MessageDescriptor, optional bool) (*connectors.Schema, error) {
	b := connectors.StructBuilder()
	if name := string(md.FullName()); !connectDefault.MatchString(name) {
		b.Name(name)
	}
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		fs, err := fieldSchema(fd)
		if err != nil {
			return nil, err
		}
		b.Field(string(fd.Name()), fs)
	}
	if optional {
		b.Optional()
	}
	return b.Build()
}

func fieldSchema(fd protoreflect.FieldDescriptor) (*connectors.Schema, error) {
	switch {
	case fd.IsMap():
		k, err := kindSchema(fd.MapKey())
		if err != nil {
			return nil, err
		}
		v, err := kindSchema(fd.MapValue())
		if err != nil {
			return nil, err
		}
		return connectors.MapOf(k, v).Optional().Build()
	case fd.IsList():
		e, err := kindSchema(fd)
		if err != nil {
			return nil, err
		}
		return connectors.ArrayOf(e).Optional().Build()
	}
	s, err := kindSchema(fd)
	if err != nil || s.Optional {
		return s, err
	}
	cp := *s
	cp.Optional = true
	return &cp, nil
}

// kindSchema is the schema of one (non-repeated) value of fd's kind; message
// kinds are optional, scalars required.
func kindSchema(fd protoreflect.FieldDescriptor) (*connectors.Schema, error) {
	switch fd.Kind() {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		switch connectType(fd) {
		case "int8":
			return connectors.Int8Schema, nil
		case "int16":
			return connectors.Int16Schema, nil
		}
		return connectors.Int32Schema, nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind,
		protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return connectors.Int64Schema, nil
	case protoreflect.FloatKind:
		return connectors.Float32Schema, nil
	case protoreflect.DoubleKind:
		return connectors.Float64Schema, nil
	case protoreflect.BoolKind:
		return connectors.BooleanSchema, nil
	case protoreflect.StringKind, protoreflect.EnumKind:
		return connectors.StringSchema, nil
	case protoreflect.BytesKind:
		return connectors.BytesSchema, nil
	case protoreflect.MessageKind:
		return messageSchema(fd)
	}
	return nil, connectors.DataError("Unsupported Protobuf kind %s", fd.Kind())
}

func messageSchema(fd protoreflect.FieldDescriptor) (*connectors.Schema, error) {
	md := fd.Message()
	switch md.FullName() {
	case decimalType:
		scale, _ := strconv.Atoi(metaParam(fd, "scale"))
		b := connectors.DecimalSchema(int32(scale)).Optional()
		if p := metaParam(fd, "precision"); p != "" {
			b.Parameter(precisionParam, p)
		}
		return b.Build()
	case dateType:
		return connectors.DateSchema().Optional().Build()
	case timeType:
		return connectors.TimeSchema().Optional().Build()
	case timestampType:
		return connectors.TimestampSchema().Optional().Build()
	}
	return toConnect(md, true)
}

// connectType reads the (confluent.field_meta).params["connect.type"] option.
func connectType(fd protoreflect.FieldDescriptor) string { return metaParam(fd, propType) }

// metaParam reads one (confluent.field_meta).params entry of a field.
func metaParam(fd protoreflect.FieldDescriptor, key string) string {
	var out string
	fd.Options().ProtoReflect().Range(func(ofd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if ofd.FullName() != "confluent.field_meta" || ofd.Kind() != protoreflect.MessageKind {
			return true
		}
		meta := v.Message()
		params := meta.Descriptor().Fields().ByName("params")
		if params == nil || !params.IsMap() {
			return false
		}
		if p := meta.Get(params).Map().Get(protoreflect.ValueOfString(key).MapKey()); p.IsValid() {
			out = p.String()
		}
		return false
	})
	return out
}

// value converts one field value of m into the Connect value of s.
func structValue(m protoreflect.Message, s *connectors.Schema) (*connectors.Struct, error) {
	st := connectors.NewStruct(s)
	fields := m.Descriptor().Fields()
	for i, f := range s.Fields {
		fd := fields.ByName(protoreflect.Name(f.Name))
		if fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() && !m.Has(fd) {
			continue // an unset message field is null
		}
		v, err := fieldValue(m.Get(fd), fd, f.Schema)
		if err != nil {
			return nil, err
		}
		st.Set(i, v)
	}
	return st, nil
}

func fieldValue(v protoreflect.Value, fd protoreflect.FieldDescriptor, s *connectors.Schema) (any, error) {
	switch {
	case fd.IsMap():
		return mapValue(v.Map(), fd, s)
	case fd.IsList():
		l := v.List()
		out := make([]any, l.Len())
		for i := range out {
			e, err := singleValue(l.Get(i), fd, s.ValueSchema)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	}
	return singleValue(v, fd, s)
}

func mapValue(mv protoreflect.Map, fd protoreflect.FieldDescriptor, s *connectors.Schema) (any, error) {
	var es connectors.MapEntries
	var err error
	mv.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		var key, val any
		if key, err = singleValue(k.Value(), fd.MapKey(), s.KeySchema); err != nil {
			return false
		}
		if val, err = singleValue(v, fd.MapValue(), s.ValueSchema); err != nil {
			return false
		}
		es = append(es, connectors.MapEntry{Key: key, Value: val})
		return true
	})
	if err != nil || s.KeySchema.Type != connectors.TypeString {
		return es, err
	}
	m := make(map[string]any, len(es))
	for _, e := range es {
		m[e.Key.(string)] = e.Value
	}
	return m, nil
}

func singleValue(v protoreflect.Value, fd protoreflect.FieldDescriptor, s *connectors.Schema) (any, error) {
	switch fd.Kind() {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		switch s.Type {
		case connectors.TypeInt8:
			return int8(v.Int()), nil
		case connectors.TypeInt16:
			return int16(v.Int()), nil
		}
		return int32(v.Int()), nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return v.Int(), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return int64(v.Uint()), nil
	case protoreflect.FloatKind:
		return float32(v.Float()), nil
	case protoreflect.DoubleKind:
		return v.Float(), nil
	case protoreflect.BoolKind:
		return v.Bool(), nil
	case protoreflect.StringKind:
		return v.String(), nil
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name()), nil
		}
		return nil, connectors.DataError("unknown enum number %d", v.Enum())
	case protoreflect.BytesKind:
		return append([]byte(nil), v.Bytes()...), nil
	case protoreflect.MessageKind:
		return messageValue(v.Message(), s)
	}
	return nil, connectors.DataError("Unsupported Protobuf kind %s", fd.Kind())
}

func messageValue(m protoreflect.Message, s *connectors.Schema) (any, error) {
	f := m.Descriptor().Fields()
	i32 := func(name string) int32 { return int32(m.Get(f.ByName(protoreflect.Name(name))).Int()) }
	switch m.Descriptor().FullName() {
	case decimalType:
		scale := i32("scale")
		if s.Name == connectors.DecimalName {
			scale, _ = connectors.DecimalScale(s)
		}
		return connectors.DecimalFromBytes(m.Get(f.ByName("value")).Bytes(), scale), nil
	case dateType:
		return time.Date(int(i32("year")), time.Month(i32("month")), int(i32("day")), 0, 0, 0, 0, time.UTC), nil
	case timeType:
		return time.Date(1970, 1, 1, int(i32("hours")), int(i32("minutes")), int(i32("seconds")), int(i32("nanos")), time.UTC), nil
	case timestampType:
		return time.Unix(m.Get(f.ByName("seconds")).Int(), int64(i32("nanos"))).UTC(), nil
	}
	return structValue(m, s)
}
