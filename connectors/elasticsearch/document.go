package elasticsearch

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// docID is the document id: topic+partition+offset when the key is ignored,
// else the key as text (Confluent accepts strings, integers and booleans).
func docID(r *connectors.Record, ignoreKey bool) (string, error) {
	if ignoreKey {
		return r.Topic + "+" + strconv.Itoa(int(r.Partition)) + "+" + strconv.FormatInt(r.Offset, 10), nil
	}
	switch k := r.Key.(type) {
	case nil:
		return "", fmt.Errorf("%w: the key is used as document id and cannot be null: give records keys or set key.ignore=true", ErrDocument)
	case string:
		return k, nil
	case bool, int8, int16, int32, int64, int:
		return fmt.Sprint(k), nil
	}
	return "", fmt.Errorf("%w: a key of type %T cannot be a document id: use a string or integer key, or key.ignore=true", ErrDocument, r.Key)
}

// withTimestamp adds "@timestamp" (epoch milliseconds) to a JSON object that
// has none, as the connector does for data streams.
func withTimestamp(doc []byte, ts any) ([]byte, error) {
	if len(doc) < 2 || doc[0] != '{' {
		return nil, fmt.Errorf("%w: a data stream document must be a JSON object", ErrDocument)
	}
	if bytes.Contains(doc, []byte(`"@timestamp":`)) {
		return doc, nil
	}
	field := fmt.Sprintf(`"@timestamp":%v`, ts)
	if string(doc) == "{}" {
		return []byte("{" + field + "}"), nil
	}
	out := make([]byte, 0, len(doc)+len(field)+1)
	out = append(out, '{')
	out = append(out, field...)
	out = append(out, ',')
	return append(out, doc[1:]...), nil
}

// streamTimestamp is the @timestamp of a data stream document: the first of
// data.stream.timestamp.field present in the value, else the record timestamp.
func streamTimestamp(r *connectors.Record, fields []string) (any, error) {
	if st, ok := r.Value.(*connectors.Struct); ok {
		for _, f := range fields {
			if st.Schema().Field(f) == nil {
				continue
			}
			if v, err := st.Get(f); err == nil && v != nil {
				return jsonTime(v), nil
			}
		}
	}
	if m, ok := r.Value.(map[string]any); ok {
		for _, f := range fields {
			if v, ok := m[f]; ok && v != nil {
				return jsonTime(v), nil
			}
		}
	}
	if r.Timestamp == connectors.NoTimestamp {
		return nil, fmt.Errorf("%w: no @timestamp: the record has no timestamp and no data.stream.timestamp.field", ErrDocument)
	}
	return r.Timestamp, nil
}

func jsonTime(v any) any {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case interface{ UnixMilli() int64 }:
		return x.UnixMilli()
	}
	return v
}

// mapping is the index mapping Confluent builds from a record schema.
func mapping(s *connectors.Schema) map[string]any {
	return map[string]any{"properties": properties(s)}
}

func properties(s *connectors.Schema) map[string]any {
	props := map[string]any{}
	for _, f := range s.Fields {
		props[f.Name] = fieldMapping(f.Schema)
	}
	return props
}

func fieldMapping(s *connectors.Schema) map[string]any {
	switch s.Name {
	case connectors.DecimalName:
		return map[string]any{"type": "double"}
	case connectors.DateName, connectors.TimeName, connectors.TimestampName:
		return map[string]any{"type": "date"}
	}
	switch s.Type {
	case connectors.TypeStruct:
		return map[string]any{"properties": properties(s)}
	case connectors.TypeArray:
		return fieldMapping(s.ValueSchema)
	case connectors.TypeMap:
		return map[string]any{"type": "object"}
	case connectors.TypeString:
		return map[string]any{"type": "text", "fields": map[string]any{"keyword": map[string]any{"type": "keyword", "ignore_above": 256}}}
	case connectors.TypeBytes:
		return map[string]any{"type": "binary"}
	}
	types := map[connectors.Type]string{connectors.TypeInt8: "byte", connectors.TypeInt16: "short", connectors.TypeInt32: "integer",
		connectors.TypeInt64: "long", connectors.TypeFloat32: "float", connectors.TypeFloat64: "double", connectors.TypeBoolean: "boolean"}
	return map[string]any{"type": types[s.Type]}
}

// indexName is the topic, or <type>-<dataset>-<topic> for a data stream.
func indexName(cfg *Config, topic string) string {
	if strings.EqualFold(cfg.DataStreamType, "NONE") {
		return topic
	}
	return strings.ToLower(cfg.DataStreamType) + "-" + cfg.DataStreamSet + "-" + topic
}
