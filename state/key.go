package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// OffsetKey encodes [connector, partition] exactly as Kafka Connect's
// JsonConverter (schemas disabled) does for the offsets topic: compact JSON.
// Partition map keys are written in sorted order, so the same partition always
// gives the same bytes (Kafka Connect looks offsets up byte for byte).
func OffsetKey(connector string, partition map[string]any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	writeString(&b, connector)
	b.WriteByte(',')
	if err := writeMap(&b, partition); err != nil {
		return nil, err
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// OffsetValue encodes an offset map as compact JSON (nil gives nil: a tombstone).
func OffsetValue(offset map[string]any) ([]byte, error) {
	if offset == nil {
		return nil, nil
	}
	var b bytes.Buffer
	if err := writeMap(&b, offset); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeMap(b *bytes.Buffer, m map[string]any) error {
	if m == nil {
		b.WriteString("null")
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, k)
		b.WriteByte(':')
		switch v := m[k].(type) {
		case string:
			writeString(b, v)
		case nil, bool, int, int8, int16, int32, int64, float32, float64, json.Number:
			vb, err := json.Marshal(v)
			if err != nil {
				return err
			}
			b.Write(vb)
		default:
			return fmt.Errorf("Offsets may only contain primitive types as values, but field %s contains %T", k, v)
		}
	}
	b.WriteByte('}')
	return nil
}

// writeString writes s as a JSON string the way Jackson does: unlike
// json.Marshal it leaves <, > and & unescaped, so keys holding them match
// Kafka Connect's bytes.
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)           // a string always encodes
	b.Truncate(b.Len() - 1) // Encode's trailing newline
}

// DecodeOffsetKey reads [connector, partition]; ok is false for keys that are
// not a two-element array of a string and a map (Kafka Connect skips those).
func DecodeOffsetKey(key []byte) (connector string, partition map[string]any, ok bool) {
	var parts []json.RawMessage
	if json.Unmarshal(key, &parts) != nil || len(parts) != 2 {
		return "", nil, false
	}
	if json.Unmarshal(parts[0], &connector) != nil {
		return "", nil, false
	}
	if decodeMap(parts[1], &partition) != nil || partition == nil {
		return "", nil, false
	}
	return connector, partition, true
}

// DecodeOffsetValue reads a JSON offset map; integers become int64, other numbers float64.
func DecodeOffsetValue(v []byte) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	var m map[string]any
	err := decodeMap(v, &m)
	return m, err
}

func decodeMap(raw []byte, dst *map[string]any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(dst); err != nil {
		return err
	}
	for k, v := range *dst {
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				(*dst)[k] = i
			} else if f, err := n.Float64(); err == nil {
				(*dst)[k] = f
			}
		}
	}
	return nil
}
