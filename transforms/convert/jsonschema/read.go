package jsonschema

import (
	"encoding/base64"
	stdjson "encoding/json"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// readValue converts a decoded JSON payload node (json.Number for numbers)
// into the Connect value of s, as JsonSchemaData.toConnectData does.
func readValue(s *connectors.Schema, n any) (any, error) {
	if n == nil {
		if s.Default != nil {
			return s.Default, nil
		}
		if !s.Optional {
			return nil, connectors.DataError("Invalid null value for required %s field", s.Type)
		}
		return nil, nil
	}
	switch s.Name {
	case connectors.DecimalName:
		return readDecimal(s, n)
	case connectors.DateName, connectors.TimeName, connectors.TimestampName:
		i, err := integer(n, 64)
		if err != nil {
			return nil, err
		}
		switch s.Name {
		case connectors.DateName:
			return connectors.DaysToDate(int32(i)), nil
		case connectors.TimeName:
			return connectors.MillisToTime(int32(i)), nil
		}
		return time.UnixMilli(i).UTC(), nil
	}
	return readPlain(s, n)
}

func readPlain(s *connectors.Schema, n any) (any, error) {
	switch s.Type {
	case connectors.TypeInt8:
		i, err := integer(n, 8)
		return int8(i), err
	case connectors.TypeInt16:
		i, err := integer(n, 16)
		return int16(i), err
	case connectors.TypeInt32:
		i, err := integer(n, 32)
		return int32(i), err
	case connectors.TypeInt64:
		return integer(n, 64)
	case connectors.TypeFloat32:
		f, err := float(n, 32)
		return float32(f), err
	case connectors.TypeFloat64:
		return float(n, 64)
	case connectors.TypeBoolean:
		if b, ok := n.(bool); ok {
			return b, nil
		}
	case connectors.TypeString:
		if str, ok := n.(string); ok {
			return str, nil
		}
	case connectors.TypeBytes:
		if str, ok := n.(string); ok {
			return base64.StdEncoding.DecodeString(str)
		}
	case connectors.TypeArray:
		return readArray(s, n)
	case connectors.TypeMap:
		return readMap(s, n)
	case connectors.TypeStruct:
		return readStruct(s, n)
	}
	return nil, wrongJSON(s, n)
}

func readArray(s *connectors.Schema, n any) (any, error) {
	arr, ok := n.([]any)
	if !ok {
		return nil, wrongJSON(s, n)
	}
	out := make([]any, len(arr))
	for i, e := range arr {
		v, err := readValue(s.ValueSchema, e)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func readMap(s *connectors.Schema, n any) (any, error) {
	if obj, ok := n.(map[string]any); ok && s.KeySchema.Type == connectors.TypeString {
		out := make(map[string]any, len(obj))
		for k, e := range obj {
			v, err := readValue(s.ValueSchema, e)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	arr, ok := n.([]any)
	if !ok {
		return nil, wrongJSON(s, n)
	}
	out := make(connectors.MapEntries, 0, len(arr))
	for _, e := range arr {
		entry, _ := e.(map[string]any)
		k, err := readValue(s.KeySchema, entry[keyField])
		if err != nil {
			return nil, err
		}
		v, err := readValue(s.ValueSchema, entry[valueField])
		if err != nil {
			return nil, err
		}
		out = append(out, connectors.MapEntry{Key: k, Value: v})
	}
	return out, nil
}

func readStruct(s *connectors.Schema, n any) (any, error) {
	obj, ok := n.(map[string]any)
	if !ok {
		return nil, wrongJSON(s, n)
	}
	st := connectors.NewStruct(s)
	for i, f := range s.Fields {
		v, err := readValue(f.Schema, obj[f.Name])
		if err != nil {
			return nil, err
		}
		st.Set(i, v)
	}
	return st, nil
}

func readDecimal(s *connectors.Schema, n any) (any, error) {
	num, ok := n.(stdjson.Number)
	if !ok {
		return nil, wrongJSON(s, n)
	}
	scale, err := connectors.DecimalScale(s)
	if err != nil {
		return nil, err
	}
	d, err := connectors.ParseDecimal(num.String())
	if err != nil {
		return nil, connectors.DataError("Invalid decimal %s", num)
	}
	return rescale(d, scale)
}

// rescale sets d's scale to the schema's, as BigDecimal.setScale does without
// rounding: an inexact rescale is an error.
func rescale(d connectors.Decimal, scale int32) (connectors.Decimal, error) {
	u := new(big.Int).Set(d.Unscaled)
	switch {
	case scale > d.Scale:
		u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-d.Scale)), nil))
	case scale < d.Scale:
		q, r := new(big.Int).QuoRem(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale-scale)), nil), new(big.Int))
		if r.Sign() != 0 {
			return connectors.Decimal{}, connectors.DataError("Rounding necessary to fit %s in scale %d", d, scale)
		}
		u = q
	}
	return connectors.Decimal{Unscaled: u, Scale: scale}, nil
}

func integer(n any, bits int) (int64, error) {
	num, ok := n.(stdjson.Number)
	if !ok {
		return 0, connectors.DataError("Expected an integer, got %T", n)
	}
	i, err := strconv.ParseInt(num.String(), 10, bits)
	if err != nil {
		return 0, connectors.DataError("Invalid %d-bit integer %s", bits, num)
	}
	return i, nil
}

func float(n any, bits int) (float64, error) {
	num, ok := n.(stdjson.Number)
	if !ok {
		return math.NaN(), connectors.DataError("Expected a number, got %T", n)
	}
	f, err := strconv.ParseFloat(num.String(), bits)
	if err != nil {
		return 0, connectors.DataError("Invalid number %s", num)
	}
	return f, nil
}

func wrongJSON(s *connectors.Schema, n any) error {
	return connectors.DataError("JSON value of type %T does not match schema type %s", n, s.Type)
}
