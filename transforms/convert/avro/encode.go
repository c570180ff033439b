package avro

import (
	"sort"
	"time"

	"github.com/ferryhq/ferry/transforms/convert/avro/avsc"

	"github.com/ferryhq/ferry/connectors"
)

// encoder writes a Connect value in Avro's binary encoding, following the
// Avro schema that schemaWriter derives from the same Connect schema
// (AvroData.fromConnectData, then Avro's GenericDatumWriter).
type encoder struct {
	w *avsc.Writer
}

func (e *encoder) value(s *connectors.Schema, v any) error {
	if v == nil && s.Default != nil {
		v = s.Default
	}
	if s.Optional {
		// ["null", T], or [T, "null"] when the schema has a default.
		nullIndex, valueIndex := int64(0), int64(1)
		if s.Default != nil {
			nullIndex, valueIndex = 1, 0
		}
		if v == nil {
			e.w.WriteLong(nullIndex)
			return nil
		}
		e.w.WriteLong(valueIndex)
	} else if v == nil {
		return connectors.DataError("Conversion error: null value for field that is required and has no default value")
	}
	if s.Name != "" {
		if done, err := e.logical(s, v); done || err != nil {
			return err
		}
	}
	return e.plain(s, v)
}

// logical writes Decimal, Date, Time and Timestamp values.
func (e *encoder) logical(s *connectors.Schema, v any) (bool, error) {
	switch s.Name {
	case connectors.DecimalName:
		d, ok := v.(connectors.Decimal)
		if !ok {
			return true, mismatch(s, v)
		}
		scale, err := connectors.DecimalScale(s)
		if err != nil {
			return true, err
		}
		if d.Scale != scale {
			return true, connectors.DataError("BigDecimal has mismatching scale value for given Decimal schema")
		}
		e.w.WriteBytes(connectors.DecimalToBytes(d))
		return true, nil
	case connectors.DateName, connectors.TimeName, connectors.TimestampName:
		t, ok := v.(time.Time)
		if !ok {
			return true, mismatch(s, v)
		}
		n, err := logicalInt(s.Name, t)
		if err != nil {
			return true, err
		}
		if i, ok := n.(int); ok {
			e.w.WriteInt(int32(i))
		} else {
			e.w.WriteLong(n.(int64))
		}
		return true, nil
	}
	return false, nil
}

func (e *encoder) plain(s *connectors.Schema, v any) error {
	var ok bool
	switch s.Type {
	case connectors.TypeInt8:
		var x int8
		if x, ok = v.(int8); ok {
			e.w.WriteInt(int32(x))
		}
	case connectors.TypeInt16:
		var x int16
		if x, ok = v.(int16); ok {
			e.w.WriteInt(int32(x))
		}
	case connectors.TypeInt32:
		var x int32
		if x, ok = v.(int32); ok {
			e.w.WriteInt(x)
		}
	case connectors.TypeInt64:
		var x int64
		if x, ok = v.(int64); ok {
			e.w.WriteLong(x)
		}
	case connectors.TypeFloat32:
		var x float32
		if x, ok = v.(float32); ok {
			e.w.WriteFloat(x)
		}
	case connectors.TypeFloat64:
		var x float64
		if x, ok = v.(float64); ok {
			e.w.WriteDouble(x)
		}
	case connectors.TypeBoolean:
		var x bool
		if x, ok = v.(bool); ok {
			e.w.WriteBool(x)
		}
	case connectors.TypeString:
		var x string
		if x, ok = v.(string); ok {
			e.w.WriteString(x)
		}
	case connectors.TypeBytes:
		var x []byte
		if x, ok = v.([]byte); ok {
			e.w.WriteBytes(x)
		}
	default:
		return e.complex(s, v)
	}
	if !ok {
		return mismatch(s, v)
	}
	return nil
}

func (e *encoder) complex(s *connectors.Schema, v any) error {
	switch s.Type {
	case connectors.TypeArray:
		arr, ok := v.([]any)
		if !ok {
			return mismatch(s, v)
		}
		e.block(len(arr))
		for _, x := range arr {
			if err := e.value(s.ValueSchema, x); err != nil {
				return err
			}
		}
		e.endBlocks(len(arr))
		return nil
	case connectors.TypeMap:
		return e.mapValue(s, v)
	case connectors.TypeStruct:
		st, ok := v.(*connectors.Struct)
		if !ok {
			return mismatch(s, v)
		}
		if !connectors.Equal(st.Schema(), s) {
			return connectors.DataError("Mismatching struct schema")
		}
		for i, f := range s.Fields {
			if err := e.value(f.Schema, st.At(i)); err != nil {
				return err
			}
		}
		return nil
	}
	return connectors.DataError("Unknown schema type: %s", s.Type)
}

// mapValue writes an Avro map (string keys, sorted: Java's HashMap order
// cannot be reproduced) or an array of key/value records (other keys).
func (e *encoder) mapValue(s *connectors.Schema, v any) error {
	entries, err := sortedEntries(s, v)
	if err != nil {
		return err
	}
	asMap := s.KeySchema.Type == connectors.TypeString && !s.KeySchema.Optional
	e.block(len(entries))
	for _, en := range entries {
		if asMap {
			k, ok := en.Key.(string)
			if !ok {
				return mismatch(s.KeySchema, en.Key)
			}
			e.w.WriteString(k)
		} else if err := e.value(s.KeySchema, en.Key); err != nil {
			return err
		}
		if err := e.value(s.ValueSchema, en.Value); err != nil {
			return err
		}
	}
	e.endBlocks(len(entries))
	return nil
}

func sortedEntries(s *connectors.Schema, v any) (connectors.MapEntries, error) {
	switch m := v.(type) {
	case connectors.MapEntries:
		return m, nil
	case map[string]any:
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(connectors.MapEntries, len(keys))
		for i, k := range keys {
			out[i] = connectors.MapEntry{Key: k, Value: m[k]}
		}
		return out, nil
	}
	return nil, mismatch(s, v)
}

// block starts one block of n items, as Avro's Java writer does (one block
// holding every item, then the zero count).
func (e *encoder) block(n int) {
	if n > 0 {
		e.w.WriteLong(int64(n))
	}
}

func (e *encoder) endBlocks(int) { e.w.WriteLong(0) }

func mismatch(s *connectors.Schema, v any) error {
	return connectors.DataError("Invalid type for %s: %T", s.Type, v)
}
