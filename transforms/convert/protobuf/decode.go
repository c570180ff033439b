package protobuf

import (
	"regexp"
	"strconv"
	"sync"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ferryhq/ferry/connectors"
)

var connectDefault = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(^|\.)ConnectDefault[0-9]+$`) })

// toConnect is ProtobufData.toConnectSchema: a message is a STRUCT named by
// its full name (a nested message's includes its parent's; ConnectDefaultN
// stays unnamed), every field optional (proto3
// fields are), int32 fields annotated connect.type int8/int16 narrowed back,
// the well-known messages mapped to Decimal, Date, Time and Timestamp.
func toConnect(md protoreflect.MessageDescriptor, optional bool) (*connectors.Schema, error) {
	b := connectors.StructBuilder()
	if name := string(md.FullName()); !connectDefault().MatchString(name) {
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
