// Package jsonschema is Confluent's JsonSchemaConverter
// (io.confluent.connect.json.JsonSchemaConverter): the Connect schema is
// mapped to a JSON Schema as Confluent's JsonSchemaData does (integer/number
// with connect.type annotations, optional values as oneOf with "null", names
// as title, docs as description, struct properties with connect.index, maps
// with non-string keys as arrays of key/value objects), registered in (or
// looked up from) a Schema Registry under the subject its name strategy gives,
// and the value is written as plain JSON after the Confluent wire-format
// header (magic byte 0, 4-byte big-endian schema id).
//
// Deliberate differences from Confluent's classes (see the README): map
// entries with string keys are written in sorted key order; the schema
// document is written with sorted keys (everit's writer has its own order);
// a schemaless value is an error; payloads are not validated against the
// schema before writing (json.fail.invalid.schema is not offered).
package jsonschema

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry"
)

// Class is the Confluent class name of this converter.
const Class = "io.confluent.connect.json.JsonSchemaConverter"

// draft is the JSON Schema version of the documents written.
const draft = "http://json-schema.org/draft-07/schema#"

// Config is JsonSchemaConverterConfig: the registry keys.
type Config struct {
	schemaregistry.Config
}

// Converter is a configured JsonSchemaConverter. It is safe for concurrent use.
type Converter struct {
	cfg   Config
	isKey bool
	reg   *schemaregistry.Registry

	mu      sync.RWMutex
	writers map[*connectors.Schema]string
	readers map[readerKey]*connectors.Schema
}

type readerKey struct {
	id    int
	topic string
}

// New returns a JsonSchemaConverter for keys (isKey) or values configured by props.
func New(props map[string]string, isKey bool) (*Converter, error) {
	var cfg Config
	if err := schemaregistry.Parse(props, &cfg, &cfg.Config); err != nil {
		return nil, err
	}
	reg, err := schemaregistry.New(cfg.Config, sr.TypeJSON)
	if err != nil {
		return nil, err
	}
	return &Converter{cfg: cfg, isKey: isKey, reg: reg,
		writers: map[*connectors.Schema]string{}, readers: map[readerKey]*connectors.Schema{}}, nil
}

// Config returns the parsed configuration.
func (c *Converter) Config() Config { return c.cfg }

// FromConnect serializes value in the Confluent wire format. A null value is
// a tombstone: nil bytes.
func (c *Converter) FromConnect(ctx context.Context, topic string, schema *connectors.Schema, value any) ([]byte, error) {
	if value == nil && (schema == nil || schema.Default == nil) {
		return nil, nil
	}
	if schema == nil {
		return nil, serializeError(topic, connectors.DataError("JsonSchemaConverter needs a schema; the value is schemaless (%T)", value))
	}
	text, err := c.schemaText(schema)
	if err != nil {
		return nil, serializeError(topic, err)
	}
	subject, err := c.reg.Subject(topic, c.isKey, recordName(schema))
	if err != nil {
		return nil, serializeError(topic, err)
	}
	id, err := c.reg.ID(ctx, subject, text, nil)
	if err != nil {
		return nil, serializeError(topic, err)
	}
	b, err := appendPayload(schemaregistry.AppendHeader(make([]byte, 0, 128), id, nil), schema, value)
	if err != nil {
		return nil, serializeError(topic, err)
	}
	return b, nil
}

func (c *Converter) schemaText(s *connectors.Schema) (string, error) {
	c.mu.RLock()
	text, ok := c.writers[s]
	c.mu.RUnlock()
	if ok {
		return text, nil
	}
	doc, err := fromConnect(s)
	if err != nil {
		return "", err
	}
	// The draft is named so that registries which sniff the content type
	// (Apicurio) recognise the document as a JSON Schema.
	doc["$schema"] = draft
	var buf bytes.Buffer
	enc := stdjson.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return "", connectors.DataError("cannot write JSON Schema: %v", err)
	}
	text = string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	c.mu.Lock()
	c.writers[s] = text
	c.mu.Unlock()
	return text, nil
}

// ToConnect reads bytes in the Confluent wire format with the JSON Schema
// fetched from the registry. Nil bytes give a nil schema and value.
func (c *Converter) ToConnect(ctx context.Context, topic string, data []byte) (*connectors.Schema, any, error) {
	if data == nil {
		return nil, nil, nil
	}
	id, payload, err := schemaregistry.SplitHeader(data)
	if err != nil {
		return nil, nil, deserializeError(topic, err)
	}
	s, err := c.readerFor(ctx, topic, id)
	if err != nil {
		return nil, nil, deserializeError(topic, err)
	}
	dec := stdjson.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var node any
	if err := dec.Decode(&node); err != nil {
		return nil, nil, deserializeError(topic, fmt.Errorf("%w: invalid JSON payload: %v", connectors.ErrData, err))
	}
	v, err := readValue(s, node)
	if err != nil {
		return nil, nil, deserializeError(topic, err)
	}
	return s, v, nil
}

func (c *Converter) readerFor(ctx context.Context, topic string, id int) (*connectors.Schema, error) {
	k := readerKey{id, topic}
	c.mu.RLock()
	s, ok := c.readers[k]
	c.mu.RUnlock()
	if ok {
		return s, nil
	}
	rs, err := c.reg.SchemaByID(ctx, id)
	if err != nil {
		return nil, err
	}
	dec := stdjson.NewDecoder(bytes.NewReader([]byte(rs.Schema)))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: schema id %d is not a JSON Schema: %v", connectors.ErrData, id, err)
	}
	s, err = toConnect(doc)
	if err != nil {
		return nil, err
	}
	if s.Type == connectors.TypeStruct && s.Version == nil {
		s = c.reg.WithVersion(ctx, topic, c.isKey, recordName(s), rs, s)
	}
	c.mu.Lock()
	c.readers[k] = s
	c.mu.Unlock()
	return s, nil
}

func serializeError(topic string, err error) error {
	return schemaregistry.Wrap(fmt.Sprintf("Converting Kafka Connect data to byte[] failed due to serialization error of topic %s", topic), err)
}

func deserializeError(topic string, err error) error {
	return schemaregistry.Wrap(fmt.Sprintf("Converting byte[] to Kafka Connect data failed due to serialization error of topic %s", topic), err)
}
