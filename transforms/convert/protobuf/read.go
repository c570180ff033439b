package protobuf

import (
	"math"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ferryhq/ferry/connectors"
)

// readMessage parses the Protobuf encoding of md into a Struct of s (the
// schema toConnect derived from md), as ProtobufData.toConnectData sees a
// parsed message: unset scalars are their zero value, unset messages null,
// unset repeated fields and maps empty; packed and unpacked repeated fields
// are both accepted, unknown fields skipped, the last of a repeated scalar
// wins.
func readMessage(b []byte, md protoreflect.MessageDescriptor, s *connectors.Schema) (*connectors.Struct, error) {
	fields := md.Fields()
	values := make([]any, len(s.Fields))
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, wireError(n)
		}
		b = b[n:]
		fd := fields.ByNumber(num)
		if fd == nil {
			if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
				return nil, wireError(n)
			}
			b = b[n:]
			continue
		}
		f := s.Field(string(fd.Name()))
		var err error
		if b, values[f.Index], err = readField(b, typ, fd, f.Schema, values[f.Index]); err != nil {
			return nil, err
		}
	}
	st := connectors.NewStruct(s)
	for i, f := range s.Fields {
		v := values[i]
		if v == nil {
			v = unset(fields.ByName(protoreflect.Name(f.Name)), f.Schema)
		}
		if es, ok := v.(connectors.MapEntries); ok && f.Schema.Type == connectors.TypeMap && f.Schema.KeySchema.Type == connectors.TypeString {
			v = stringMap(es)
		}
		st.Set(i, v)
	}
	return st, nil
}

// readField reads one occurrence of fd, merging it into prev (lists, maps).
func readField(b []byte, typ protowire.Type, fd protoreflect.FieldDescriptor, s *connectors.Schema, prev any) ([]byte, any, error) {
	switch {
	case fd.IsMap():
		body, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return nil, nil, wireError(n)
		}
		e, err := readEntry(body, fd, s)
		if err != nil {
			return nil, nil, err
		}
		es, _ := prev.(connectors.MapEntries)
		return b[n:], append(es, e), nil
	case fd.IsList():
		list, _ := prev.([]any)
		if list == nil {
			list = []any{}
		}
		if typ == protowire.BytesType && wireType(fd.Kind()) != protowire.BytesType {
			body, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return nil, nil, wireError(n)
			}
			for len(body) > 0 {
				v, m, err := readValue(body, wireType(fd.Kind()), fd, s.ValueSchema)
				if err != nil {
					return nil, nil, err
				}
				list, body = append(list, v), body[m:]
			}
			return b[n:], list, nil
		}
		v, n, err := readValue(b, typ, fd, s.ValueSchema)
		if err != nil {
			return nil, nil, err
		}
		return b[n:], append(list, v), nil
	}
	v, n, err := readValue(b, typ, fd, s)
	if err != nil {
		return nil, nil, err
	}
	return b[n:], v, nil
}

func readEntry(b []byte, fd protoreflect.FieldDescriptor, s *connectors.Schema) (connectors.MapEntry, error) {
	kf, vf := fd.MapKey(), fd.MapValue()
	var e connectors.MapEntry
	var keySet, valueSet bool
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return e, wireError(n)
		}
		b = b[n:]
		var err error
		switch num {
		case 1:
			e.Key, n, err = readValue(b, typ, kf, s.KeySchema)
			keySet = true
		case 2:
			e.Value, n, err = readValue(b, typ, vf, s.ValueSchema)
			valueSet = true
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if err != nil {
			return e, err
		}
		if n < 0 {
			return e, wireError(n)
		}
		b = b[n:]
	}
	if !keySet {
		e.Key = unset(kf, s.KeySchema)
	}
	if !valueSet {
		e.Value = unset(vf, s.ValueSchema)
	}
	return e, nil
}

// readValue reads one value of fd's kind, returning the bytes consumed.
func readValue(b []byte, typ protowire.Type, fd protoreflect.FieldDescriptor, s *connectors.Schema) (any, int, error) {
	if want := wireType(fd.Kind()); typ != want {
		return nil, 0, connectors.DataError("field %s: wire type %d, want %d", fd.FullName(), typ, want)
	}
	switch typ {
	case protowire.VarintType:
		v, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return nil, 0, wireError(n)
		}
		return varintValue(v, fd, s), n, nil
	case protowire.Fixed32Type:
		v, n := protowire.ConsumeFixed32(b)
		if n < 0 {
			return nil, 0, wireError(n)
		}
		switch fd.Kind() {
		case protoreflect.FloatKind:
			return math.Float32frombits(v), n, nil
		case protoreflect.Sfixed32Kind:
			return narrow(int64(int32(v)), s), n, nil
		}
		return int64(v), n, nil
	case protowire.Fixed64Type:
		v, n := protowire.ConsumeFixed64(b)
		if n < 0 {
			return nil, 0, wireError(n)
		}
		if fd.Kind() == protoreflect.DoubleKind {
			return math.Float64frombits(v), n, nil
		}
		return int64(v), n, nil
	}
	body, n := protowire.ConsumeBytes(b)
	if n < 0 {
		return nil, 0, wireError(n)
	}
	switch fd.Kind() {
	case protoreflect.StringKind:
		return string(body), n, nil
	case protoreflect.BytesKind:
		return append([]byte(nil), body...), n, nil
	}
	v, err := readMessageValue(body, fd.Message(), s)
	return v, n, err
}

func varintValue(v uint64, fd protoreflect.FieldDescriptor, s *connectors.Schema) any {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return v != 0
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(protoreflect.EnumNumber(int32(v))); ev != nil {
			return string(ev.Name())
		}
		return ""
	case protoreflect.Sint32Kind:
		return narrow(int64(int32(protowire.DecodeZigZag(v&math.MaxUint32))), s)
	case protoreflect.Sint64Kind:
		return protowire.DecodeZigZag(v)
	case protoreflect.Int32Kind:
		return narrow(int64(int32(v)), s)
	case protoreflect.Uint32Kind:
		return int64(uint32(v))
	}
	return int64(v)
}

// narrow returns an int32-kind value as the Connect type of s.
func narrow(n int64, s *connectors.Schema) any {
	switch s.Type {
	case connectors.TypeInt8:
		return int8(n)
	case connectors.TypeInt16:
		return int16(n)
	}
	return int32(n)
}

func readMessageValue(b []byte, md protoreflect.MessageDescriptor, s *connectors.Schema) (any, error) {
	switch md.FullName() {
	case decimalType, dateType, timeType, timestampType:
		return readLogical(b, md, s)
	}
	return readMessage(b, md, s)
}

// readLogical reads the well-known messages; their fields are all scalars.
func readLogical(b []byte, md protoreflect.MessageDescriptor, s *connectors.Schema) (any, error) {
	f := map[protowire.Number]any{}
	fields := md.Fields()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, wireError(n)
		}
		b = b[n:]
		fd := fields.ByNumber(num)
		if fd == nil {
			n = protowire.ConsumeFieldValue(num, typ, b)
		} else {
			f[num], n, _ = readValue(b, typ, fd, connectors.Int32Schema)
		}
		if n < 0 {
			return nil, wireError(n)
		}
		b = b[n:]
	}
	i := func(num protowire.Number) int64 {
		switch x := f[num].(type) {
		case int32:
			return int64(x)
		case int64:
			return x
		}
		return 0
	}
	switch md.FullName() {
	case decimalType:
		raw, _ := f[1].([]byte)
		scale := int32(i(3))
		if s.Name == connectors.DecimalName {
			scale, _ = connectors.DecimalScale(s)
		}
		return connectors.DecimalFromBytes(raw, scale), nil
	case dateType:
		return time.Date(int(i(1)), time.Month(i(2)), int(i(3)), 0, 0, 0, 0, time.UTC), nil
	case timeType:
		return time.Date(1970, 1, 1, int(i(1)), int(i(2)), int(i(3)), int(i(4)), time.UTC), nil
	}
	return time.Unix(i(1), i(2)).UTC(), nil
}

// unset is the value of a field absent from the bytes.
func unset(fd protoreflect.FieldDescriptor, s *connectors.Schema) any {
	switch {
	case fd.IsMap():
		if s.KeySchema.Type == connectors.TypeString {
			return map[string]any{}
		}
		return connectors.MapEntries(nil)
	case fd.IsList():
		return []any{}
	case fd.Kind() == protoreflect.MessageKind:
		return nil
	}
	switch s.Type {
	case connectors.TypeInt8:
		return int8(0)
	case connectors.TypeInt16:
		return int16(0)
	case connectors.TypeInt32:
		return int32(0)
	case connectors.TypeInt64:
		return int64(0)
	case connectors.TypeFloat32:
		return float32(0)
	case connectors.TypeFloat64:
		return 0.0
	case connectors.TypeBoolean:
		return false
	case connectors.TypeString:
		if fd.Kind() == protoreflect.EnumKind && fd.Enum().Values().Len() > 0 {
			return string(fd.Enum().Values().Get(0).Name())
		}
		return ""
	case connectors.TypeBytes:
		return []byte{}
	}
	return nil
}

func stringMap(es connectors.MapEntries) map[string]any {
	m := make(map[string]any, len(es))
	for _, e := range es {
		k, _ := e.Key.(string)
		m[k] = e.Value
	}
	return m
}

func wireError(n int) error {
	return connectors.DataError("invalid Protobuf payload: %v", protowire.ParseError(n))
}
