// Package connectjson writes Kafka Connect data (schemas, structs, logical
// types) as JSON exactly as Kafka Connect's JsonConverter does: the payload
// (AppendValue) and the schema JSON of its envelope (AppendSchema), with
// Java's number formatting. The JsonConverter (transforms/convert/json) and
// the sink connectors that write JSON documents (S3, Elasticsearch) share it,
// so it lives where connectors may import it.
package connectjson

import "github.com/ferryhq/ferry/connectors"

// Options are the JsonConverter settings that change how a value is written.
type Options struct {
	// ReplaceNullWithDefault writes a field's default for a null value
	// (replace.null.with.default, default true in Kafka Connect).
	ReplaceNullWithDefault bool
	// DecimalNumeric writes Decimals as JSON numbers (decimal.format=NUMERIC)
	// instead of base64 (BASE64).
	DecimalNumeric bool
}

// AppendValue appends v under schema s (nil for schemaless) to b as
// JsonConverter.convertToJson and Jackson's compact writer would. A value
// that does not fit its schema is a connectors.DataError with Kafka Connect's
// message.
func AppendValue(b []byte, s *connectors.Schema, v any, o Options) ([]byte, error) {
	e := encoder{buf: b, replaceNull: o.ReplaceNullWithDefault, numeric: o.DecimalNumeric}
	err := e.value(s, v)
	return e.buf, err
}

// AppendSchema appends s as JsonConverter.asJsonSchema writes it, in its
// exact field order. Defaults are written as values under o, as Kafka
// Connect writes them (a Decimal default is a JSON number with
// decimal.format=NUMERIC).
func AppendSchema(b []byte, s *connectors.Schema, o Options) ([]byte, error) {
	e := encoder{buf: b, replaceNull: o.ReplaceNullWithDefault, numeric: o.DecimalNumeric}
	err := e.schema(s)
	return e.buf, err
}

// Marshal returns v under schema s as JSON (AppendValue into a new buffer),
// with JsonConverter's tombstone rule: a null schema and a null value give
// nil bytes.
func Marshal(s *connectors.Schema, v any, o Options) ([]byte, error) {
	if s == nil && v == nil {
		return nil, nil
	}
	return AppendValue(make([]byte, 0, 128), s, v, o)
}
