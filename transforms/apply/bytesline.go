package apply

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/recordline"
)

// rawBytes returns the message bytes of a bytes-form field: the JSON string
// text, the base64 alternative, or nil for null/absent.
func rawBytes(text json.RawMessage, b64 *string) ([]byte, error) {
	if b64 != nil {
		return base64.StdEncoding.DecodeString(*b64)
	}
	if recordline.IsNull(text) {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(text, &s); err != nil {
		return nil, fmt.Errorf("must be a JSON string (the raw message text) or use the _base64 field: %w", err)
	}
	return []byte(s), nil
}

func (r *Runner) decodeBytes(ctx context.Context, in []byte) (*connectors.Record, *Failure) {
	var l recordline.Line
	if err := json.Unmarshal(in, &l); err != nil {
		return nil, &Failure{Error: "not a bytes line: " + err.Error(), Stage: "converter", Class: "record line"}
	}
	rec := recordline.NewRecord(&l)
	key, err := rawBytes(l.Key, l.KeyBase64)
	if err != nil {
		return nil, &Failure{Error: "key: " + err.Error(), Stage: "converter", Class: "record line"}
	}
	if rec.KeySchema, rec.Key, err = r.convs.Key.ToConnect(ctx, l.Topic, key); err != nil {
		return nil, &Failure{Error: message(err), Stage: "converter", Class: r.convs.Classes.Key}
	}
	value, err := rawBytes(l.Value, l.ValueBase64)
	if err != nil {
		return nil, &Failure{Error: "value: " + err.Error(), Stage: "converter", Class: "record line"}
	}
	if rec.ValueSchema, rec.Value, err = r.convs.Value.ToConnect(ctx, l.Topic, value); err != nil {
		return nil, &Failure{Error: message(err), Stage: "converter", Class: r.convs.Classes.Value}
	}
	for _, h := range l.Headers {
		b, err := rawBytes(h.Value, h.ValueBase64)
		if err != nil {
			return nil, &Failure{Error: "header " + h.Key + ": " + err.Error(), Stage: "converter", Class: "record line"}
		}
		s, v, err := r.convs.Header.ToConnectHeader(ctx, l.Topic, h.Key, b)
		if err != nil {
			return nil, &Failure{Error: message(err), Stage: "converter", Class: r.convs.Classes.Header}
		}
		rec.Headers = append(rec.Headers, connectors.Header{Key: h.Key, Schema: s, Value: v})
	}
	return rec, nil
}

// appendRaw writes `"<name>":"text"` or `"<name>_base64":"..."` for bytes that are not UTF-8.
func appendRaw(b []byte, name string, data []byte) []byte {
	switch {
	case data == nil:
		return append(recordline.AppendString(b, name), ":null"...)
	case utf8.Valid(data):
		return recordline.AppendString(append(recordline.AppendString(b, name), ':'), string(data))
	}
	return recordline.AppendString(append(recordline.AppendString(b, name+"_base64"), ':'), base64.StdEncoding.EncodeToString(data))
}

func (r *Runner) encodeBytes(ctx context.Context, rec *connectors.Record) ([]byte, *Failure) {
	key, err := r.convs.Key.FromConnect(ctx, rec.Topic, rec.KeySchema, rec.Key)
	if err != nil {
		return nil, &Failure{Error: message(err), Stage: "converter", Class: r.convs.Classes.Key}
	}
	value, err := r.convs.Value.FromConnect(ctx, rec.Topic, rec.ValueSchema, rec.Value)
	if err != nil {
		return nil, &Failure{Error: message(err), Stage: "converter", Class: r.convs.Classes.Value}
	}
	b := append(recordline.AppendString([]byte(`{"topic":`), rec.Topic), `,"partition":`...)
	b = recordline.AppendOptInt(b, int64(rec.Partition), rec.Partition == connectors.NoPartition)
	b = recordline.AppendOptInt(append(b, `,"offset":`...), rec.Offset, rec.Offset < 0)
	b = recordline.AppendOptInt(append(b, `,"timestamp":`...), rec.Timestamp, rec.Timestamp == connectors.NoTimestamp)
	b = appendRaw(append(b, ','), "key", key)
	b = appendRaw(append(b, ','), "value", value)
	b = append(b, `,"headers":[`...)
	for i, h := range rec.Headers {
		hb, err := r.convs.Header.FromConnectHeader(ctx, rec.Topic, h.Key, h.Schema, h.Value)
		if err != nil {
			return nil, &Failure{Error: message(err), Stage: "converter", Class: r.convs.Classes.Header}
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(recordline.AppendString(append(b, `{"key":`...), h.Key), ',')
		b = append(appendRaw(b, "value", hb), '}')
	}
	return append(b, "]}"...), nil
}
