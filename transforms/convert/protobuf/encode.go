package protobuf

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ferryhq/ferry/connectors"
)

// appendMessage writes st as the message md in the Protobuf binary encoding,
// byte for byte as Go's deterministic proto.Marshal writes the same dynamic
// message (fields in declaration order, proto3 zero scalars left out, numeric
// repeated fields packed, map entries sorted by key with both key and value
// written), without building one (ProtobufData.fromConnectData): a null
// field is left out, as proto3 has no null.
func appendMessage(b []byte, md protoreflect.MessageDescriptor, s *connectors.Schema, st *connectors.Struct) ([]byte, error) {
	if st.Schema() != s && !connectors.Equal(st.Schema(), s) {
		return nil, connectors.DataError("Mismatching struct schema")
	}
	fields := md.Fields()
	var err error
	for i, f := range s.Fields {
		v := st.At(i)
		if v == nil {
			v = f.Schema.Default
		}
		if v == nil {
			if !f.Schema.Optional {
				return nil, connectors.DataError("Conversion error: null value for field that is required and has no default value")
			}
			continue
		}
		if b, err = appendField(b, fields.ByName(protoreflect.Name(f.Name)), f.Schema, v); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func appendField(b []byte, fd protoreflect.FieldDescriptor, s *connectors.Schema, v any) ([]byte, error) {
	switch {
	case fd.IsMap():
		return appendMap(b, fd, s, v)
	case fd.IsList():
		return appendList(b, fd, s, v)
	case fd.Kind() == protoreflect.MessageKind:
		return appendNested(b, fd, s, v)
	}
	if isZero(v) {
		return b, nil
	}
	return appendScalar(protowire.AppendTag(b, fd.Number(), wireType(fd.Kind())), fd.Kind(), s, v)
}

func appendNested(b []byte, fd protoreflect.FieldDescriptor, s *connectors.Schema, v any) ([]byte, error) {
	b = protowire.AppendTag(b, fd.Number(), protowire.BytesType)
	start := len(b)
	body, err := appendMessageValue(nil, fd.Message(), s, v)
	if err != nil {
		return nil, err
	}
	_ = start
	return protowire.AppendBytes(b, body), nil
}

// appendMessageValue writes a struct or one of the well-known logical messages.
func appendMessageValue(b []byte, md protoreflect.MessageDescriptor, s *connectors.Schema, v any) ([]byte, error) {
	switch s.Name {
	case connectors.DecimalName:
		return appendDecimal(b, s, v)
	case connectors.DateName, connectors.TimeName, connectors.TimestampName:
		return appendTime(b, s.Name, v)
	}
	st, ok := v.(*connectors.Struct)
	if !ok {
		return nil, mismatch(s, v)
	}
	return appendMessage(b, md, s, st)
}

func appendList(b []byte, fd protoreflect.FieldDescriptor, s *connectors.Schema, v any) ([]byte, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, mismatch(s, v)
	}
	for _, e := range arr {
		if e == nil {
			return nil, connectors.DataError("Protobuf repeated fields cannot hold null values")
		}
	}
	if len(arr) == 0 {
		return b, nil
	}
	var err error
	if fd.IsPacked() {
		var body []byte
		for _, e := range arr {
			if body, err = appendScalar(body, fd.Kind(), s.ValueSchema, e); err != nil {
				return nil, err
			}
		}
		return protowire.AppendBytes(protowire.AppendTag(b, fd.Number(), protowire.BytesType), body), nil
	}
	for _, e := range arr {
		if fd.Kind() == protoreflect.MessageKind {
			if b, err = appendNested(b, fd, s.ValueSchema, e); err != nil {
				return nil, err
			}
			continue
		}
		if b, err = appendScalar(protowire.AppendTag(b, fd.Number(), wireType(fd.Kind())), fd.Kind(), s.ValueSchema, e); err != nil {
			return nil, err
		}
	}
	return b, nil
}

type entry struct {
	key   any
	value any
}

func appendMap(b []byte, fd protoreflect.FieldDescriptor, s *connectors.Schema, v any) ([]byte, error) {
	var entries []entry
	switch m := v.(type) {
	case map[string]any:
		for k, e := range m {
			entries = append(entries, entry{k, e})
		}
	case connectors.MapEntries:
		for _, e := range m {
			entries = append(entries, entry{e.Key, e.Value})
		}
	default:
		return nil, mismatch(s, v)
	}
	sort.Slice(entries, func(i, j int) bool { return keyLess(entries[i].key, entries[j].key) })
	kf, vf := fd.MapKey(), fd.MapValue()
	var err error
	for _, e := range entries {
		if e.value == nil {
			return nil, connectors.DataError("Protobuf maps cannot hold null values")
		}
		body := protowire.AppendTag(nil, 1, wireType(kf.Kind()))
		if body, err = appendScalar(body, kf.Kind(), s.KeySchema, e.key); err != nil {
			return nil, err
		}
		if vf.Kind() == protoreflect.MessageKind {
			body, err = appendNested(body, vf, s.ValueSchema, e.value)
		} else {
			body, err = appendScalar(protowire.AppendTag(body, 2, wireType(vf.Kind())), vf.Kind(), s.ValueSchema, e.value)
		}
		if err != nil {
			return nil, err
		}
		b = protowire.AppendBytes(protowire.AppendTag(b, fd.Number(), protowire.BytesType), body)
	}
	return b, nil
}

// keyLess orders map keys as Go's deterministic marshalling does.
func keyLess(a, b any) bool {
	switch x := a.(type) {
	case string:
		return x < b.(string)
	case bool:
		return !x && b.(bool)
	}
	return toInt64(a) < toInt64(b)
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	}
	return 0
}

func wireType(k protoreflect.Kind) protowire.Type {
	switch k {
	case protoreflect.FloatKind, protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind:
		return protowire.Fixed32Type
	case protoreflect.DoubleKind, protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind:
		return protowire.Fixed64Type
	case protoreflect.StringKind, protoreflect.BytesKind, protoreflect.MessageKind:
		return protowire.BytesType
	}
	return protowire.VarintType
}

func appendScalar(b []byte, k protoreflect.Kind, s *connectors.Schema, v any) ([]byte, error) {
	switch x := v.(type) {
	case int8, int16, int32, int64:
		n := toInt64(x)
		if k == protoreflect.Int32Kind {
			n = int64(int32(n))
		}
		return protowire.AppendVarint(b, uint64(n)), nil
	case float32:
		return protowire.AppendFixed32(b, math.Float32bits(x)), nil
	case float64:
		return protowire.AppendFixed64(b, math.Float64bits(x)), nil
	case bool:
		return protowire.AppendVarint(b, protowire.EncodeBool(x)), nil
	case string:
		return protowire.AppendString(b, x), nil
	case []byte:
		return protowire.AppendBytes(b, x), nil
	}
	return nil, mismatch(s, v)
}

func isZero(v any) bool {
	switch x := v.(type) {
	case int8:
		return x == 0
	case int16:
		return x == 0
	case int32:
		return x == 0
	case int64:
		return x == 0
	case float32:
		return x == 0 && !math.Signbit(float64(x))
	case float64:
		return x == 0 && !math.Signbit(x)
	case bool:
		return !x
	case string:
		return x == ""
	case []byte:
		return len(x) == 0
	}
	return false
}

func appendDecimal(b []byte, s *connectors.Schema, v any) ([]byte, error) {
	d, ok := v.(connectors.Decimal)
	if !ok {
		return nil, mismatch(s, v)
	}
	if scale, err := connectors.DecimalScale(s); err != nil || scale != d.Scale {
		return nil, connectors.DataError("BigDecimal has mismatching scale value for given Decimal schema")
	}
	if u := connectors.DecimalToBytes(d); len(u) > 0 {
		b = protowire.AppendBytes(protowire.AppendTag(b, 1, protowire.BytesType), u)
	}
	if p, ok := s.Parameters[precisionParam]; ok {
		if n, err := strconv.ParseUint(strings.TrimSpace(p), 10, 32); err == nil && n != 0 {
			b = protowire.AppendVarint(protowire.AppendTag(b, 2, protowire.VarintType), n)
		}
	}
	if d.Scale != 0 {
		b = protowire.AppendVarint(protowire.AppendTag(b, 3, protowire.VarintType), uint64(int64(d.Scale)))
	}
	return b, nil
}

func appendTime(b []byte, name string, v any) ([]byte, error) {
	t, ok := v.(time.Time)
	if !ok {
		return nil, connectors.DataError("Invalid type for %s: %T", name, v)
	}
	t = t.UTC()
	put := func(num protowire.Number, n int64) {
		if n != 0 {
			b = protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), uint64(n))
		}
	}
	switch name {
	case connectors.DateName:
		put(1, int64(int32(t.Year())))
		put(2, int64(t.Month()))
		put(3, int64(t.Day()))
	case connectors.TimeName:
		put(1, int64(t.Hour()))
		put(2, int64(t.Minute()))
		put(3, int64(t.Second()))
		put(4, int64(t.Nanosecond()))
	default:
		put(1, t.Unix())
		put(2, int64(t.Nanosecond()))
	}
	return b, nil
}

func mismatch(s *connectors.Schema, v any) error {
	return connectors.DataError("Invalid type for %s: %T", s.Type, v)
}
