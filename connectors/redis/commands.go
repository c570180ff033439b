package redis

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// commands returns the Redis commands that write r under cfg, or a data
// error (wrapping ErrValue) that rejects r alone.
func commands(cfg *SinkConfig, r *connectors.Record) ([][]any, error) {
	switch kind := cfg.kind(); kind {
	case "STRING", "HASH", "JSON", "DEL":
		key, err := entryKey(cfg, r)
		if err != nil {
			return nil, err
		}
		if r.Value == nil || kind == "DEL" {
			return [][]any{{"DEL", key}}, nil
		}
		switch kind {
		case "STRING":
			v, err := text(r, "value", r.Value)
			return [][]any{{"SET", key, v}}, err
		case "JSON":
			v, err := jsonValue(r)
			return [][]any{{"JSON.SET", key, "$", v}}, err
		}
		fields, err := fieldsOf(r)
		if err != nil {
			return nil, err
		}
		return [][]any{append([]any{"HSET", key}, fields...)}, nil
	case "STREAM":
		if r.Value == nil {
			return nil, reject(r, "a null value cannot be added to a stream")
		}
		fields, err := fieldsOf(r)
		if err != nil {
			return nil, err
		}
		return [][]any{append([]any{"XADD", collectionKey(cfg, r), "*"}, fields...)}, nil
	case "TIMESERIES":
		ts, ok := number(r.Key)
		score, okv := number(r.Value)
		if !ok || !okv || ts != math.Trunc(ts) {
			return nil, reject(r, "TIMESERIES needs an integer key (the timestamp) and a numeric value, got %T and %T", r.Key, r.Value)
		}
		return [][]any{{"TS.ADD", collectionKey(cfg, r), int64(ts), score}}, nil
	}
	return memberCommands(cfg, r)
}

// memberCommands writes the record key as a member of a LIST, SET or ZSET.
func memberCommands(cfg *SinkConfig, r *connectors.Record) ([][]any, error) {
	member, err := text(r, "key", r.Key)
	if err != nil {
		return nil, err
	}
	key := collectionKey(cfg, r)
	remove := map[string]string{"LIST": "LREM", "SET": "SREM", "ZSET": "ZREM"}[cfg.kind()]
	if r.Value == nil {
		if remove == "LREM" {
			return [][]any{{"LREM", key, 0, member}}, nil
		}
		return [][]any{{remove, key, member}}, nil
	}
	switch cfg.kind() {
	case "LIST":
		push := "RPUSH"
		if cfg.Command == "LPUSH" {
			push = "LPUSH"
		}
		return [][]any{{push, key, member}}, nil
	case "SET":
		return [][]any{{"SADD", key, member}}, nil
	}
	score, ok := number(r.Value)
	if !ok {
		return nil, reject(r, "ZSET needs a numeric value (the score), got %T", r.Value)
	}
	return [][]any{{"ZADD", key, score, member}}, nil
}

// reject is a data error naming the record.
func reject(r *connectors.Record, format string, args ...any) error {
	return fmt.Errorf("%w: %s-%d offset %d: %s", ErrValue, r.Topic, r.Partition, r.Offset, fmt.Sprintf(format, args...))
}

// collectionKey is redis.key with ${topic} replaced.
func collectionKey(cfg *SinkConfig, r *connectors.Record) string {
	return strings.ReplaceAll(cfg.Key, TokenTopic, r.Topic)
}

// entryKey is the key of a non-collection structure: the record key alone
// when redis.key is empty, else key space + separator + record key.
func entryKey(cfg *SinkConfig, r *connectors.Record) (string, error) {
	if cfg.Key == "" {
		return text(r, "key", r.Key)
	}
	k := "null"
	if r.Key != nil {
		k = scalar(r.Key)
	}
	return collectionKey(cfg, r) + cfg.Separator + k, nil
}

// text is a string or bytes key or value; anything else is rejected.
func text(r *connectors.Record, what string, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	}
	return "", reject(r, "the %s must be a string or bytes, got %T; use the StringConverter or ByteArrayConverter", what, v)
}

// number reads a numeric key or value.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// jsonValue is the JSON text of the value: strings and bytes as they are,
// other values as the schemaless JsonConverter writes them.
func jsonValue(r *connectors.Record) (string, error) {
	if s, err := text(r, "value", r.Value); err == nil {
		return s, nil
	}
	b, err := connectjson.AppendValue(nil, r.ValueSchema, r.Value, connectjson.Options{ReplaceNullWithDefault: true})
	if err != nil {
		return "", reject(r, "value as JSON: %v", err)
	}
	return string(b), nil
}

// fieldsOf flattens a struct or map value into field, value pairs (hash
// fields, stream entry fields); null fields are left out.
func fieldsOf(r *connectors.Record) ([]any, error) {
	var out []any
	switch v := r.Value.(type) {
	case *connectors.Struct:
		for _, f := range v.Schema().Fields {
			if x := v.At(f.Index); x != nil {
				out = append(out, f.Name, fieldText(f.Schema, x))
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v[k] != nil {
				out = append(out, k, fieldText(nil, v[k]))
			}
		}
	default:
		return nil, reject(r, "the value must be a struct or a map, got %T; use a JSON or Avro converter", r.Value)
	}
	if len(out) == 0 {
		return nil, reject(r, "the value has no non-null fields")
	}
	return out, nil
}

// fieldText is one field's text: strings and bytes as they are, numbers as
// Java prints them, nested values as JSON.
func fieldText(s *connectors.Schema, v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case *connectors.Struct, map[string]any, []any, connectors.MapEntries:
		b, err := connectjson.AppendValue(nil, s, v, connectjson.Options{})
		if err == nil {
			return string(b)
		}
	}
	return scalar(v)
}

// scalar prints a primitive as Java's String.valueOf does.
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case float64:
		return string(connectjson.AppendJavaDouble(nil, x))
	case float32:
		return string(connectjson.AppendJavaFloat(nil, x))
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}
