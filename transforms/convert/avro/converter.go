// Package avro is Confluent's AvroConverter (io.confluent.connect.avro.AvroConverter):
// Connect data is mapped to Avro as Confluent's AvroData does (record names
// from the Connect schema name, connect.name/connect.version/connect.parameters
// properties, optional values as ["null", T] unions, Decimal as bytes with the
// decimal logical type, Date/Time/Timestamp logical types, maps with
// non-string keys as arrays of key/value records), the Avro schema is
// registered in (or looked up from) a Schema Registry under the subject its
// name strategy gives, and the bytes are in the Confluent wire format: magic
// byte 0, the 4-byte big-endian schema id, then the Avro binary encoding.
//
// Deliberate differences from Confluent's classes, documented in the README:
//   - map entries with string keys are written in sorted key order (Java
//     writes HashMap order);
//   - a schemaless value (null schema, non-null value) is an error rather
//     than Confluent's catch-all "anything" schema;
//   - the registry version is added to the Connect schema of top-level
//     records only (as Confluent's converter tests show for structs);
//   - defaults of STRUCT type are not carried back into Connect schemas.
package avro

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ferryhq/ferry/transforms/convert/avro/avsc"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry"
)

// Class is the Confluent class name of this converter.
const Class = "io.confluent.connect.avro.AvroConverter"

// Config is AvroConverterConfig: the registry keys and AvroData's keys.
type Config struct {
	schemaregistry.Config
	ConnectMetaData bool `config:"connect.meta.data" default:"true" importance:"low" doc:"Toggle for enabling/disabling connect converter to add its meta data to the output schema or not."`
}

// Converter is a configured AvroConverter. It is safe for concurrent use.
type Converter struct {
	cfg   Config
	isKey bool
	reg   *schemaregistry.Registry

	mu      sync.RWMutex
	writers map[*connectors.Schema]*writer
	readers map[readerKey]*reader
	// latestOK holds the (subject, id, fingerprint) triples checkLatest passed.
	latestOK sync.Map
}

// writer is what FromConnect needs per Connect schema.
type writer struct {
	text     string
	fullName string
	// canonical is the fingerprint of the schema's Parsing Canonical Form:
	// two schemas with the same one encode data identically.
	canonical [32]byte
}

type readerKey struct {
	id    int
	topic string
}

// reader is what ToConnect needs per schema id (and topic: the version comes
// from the topic's subject).
type reader struct {
	avro    avsc.Schema
	connect *connectors.Schema
}

// New returns an AvroConverter for keys (isKey) or values configured by props
// (keys without the `value.converter.` prefix).
func New(props map[string]string, isKey bool) (*Converter, error) {
	var cfg Config
	if err := schemaregistry.Parse(props, &cfg, &cfg.Config); err != nil {
		return nil, err
	}
	reg, err := schemaregistry.New(cfg.Config, sr.TypeAvro)
	if err != nil {
		return nil, err
	}
	return &Converter{cfg: cfg, isKey: isKey, reg: reg,
		writers: map[*connectors.Schema]*writer{}, readers: map[readerKey]*reader{}}, nil
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
		return nil, fmt.Errorf("%w: Failed to serialize Avro data from topic %s: AvroConverter needs a schema; the value is schemaless (%T)",
			connectors.ErrData, topic, value)
	}
	w, err := c.writerFor(schema)
	if err != nil {
		return nil, serializeError(topic, err)
	}
	subject, err := c.reg.Subject(topic, c.isKey, w.fullName)
	if err != nil {
		return nil, serializeError(topic, err)
	}
	id, err := c.reg.ID(ctx, subject, w.text, nil)
	if err == nil && c.cfg.UseLatestVersion && c.cfg.UseSchemaID < 0 {
		err = c.checkLatest(ctx, subject, id, w)
	}
	if err != nil {
		return nil, serializeError(topic, err)
	}
	aw := avsc.NewWriter(64 + len(w.text)/4)
	_, _ = aw.Write(schemaregistry.AppendHeader(make([]byte, 0, 5), id, nil))
	e := encoder{w: aw}
	if err := e.value(schema, value); err != nil {
		return nil, serializeError(topic, err)
	}
	if aw.Error != nil {
		return nil, serializeError(topic, aw.Error)
	}
	return aw.Buffer(), nil
}

func (c *Converter) writerFor(s *connectors.Schema) (*writer, error) {
	c.mu.RLock()
	w, ok := c.writers[s]
	c.mu.RUnlock()
	if ok {
		return w, nil
	}
	text, full, err := avroSchema(s, c.cfg.ConnectMetaData)
	if err != nil {
		return nil, err
	}
	// Parse once so that an invalid Avro schema (a bad name) fails here, as
	// Avro's Java parser does, rather than in the registry.
	parsed, err := avsc.Parse(string(text))
	if err != nil {
		return nil, connectors.DataError("Connect schema cannot be written as Avro: %v", err)
	}
	w = &writer{text: string(text), fullName: full, canonical: parsed.Fingerprint()}
	c.mu.Lock()
	c.writers[s] = w
	c.mu.Unlock()
	return w, nil
}

// ErrLatestDiffers is returned with use.latest.version when the subject's
// latest schema does not encode data as the record's own schema does: ferry
// writes with the record's schema only (Confluent would re-encode the record
// with the latest schema). Register the record's schema, or turn
// use.latest.version off.
var ErrLatestDiffers = errors.New("the latest schema of the subject differs from the record's schema")

type latestKey struct {
	subject   string
	id        int
	canonical [32]byte
}

// checkLatest makes sure the latest version (id) encodes like w.
func (c *Converter) checkLatest(ctx context.Context, subject string, id int, w *writer) error {
	k := latestKey{subject, id, w.canonical}
	if _, ok := c.latestOK.Load(k); ok {
		return nil
	}
	s, err := c.reg.SchemaByID(ctx, id)
	if err != nil {
		return err
	}
	latest, err := avsc.Parse(s.Schema)
	if err != nil {
		return fmt.Errorf("%w: latest schema of subject %q (id %d) is not valid Avro: %v", connectors.ErrData, subject, id, err)
	}
	if latest.Fingerprint() != w.canonical {
		return fmt.Errorf("%w: subject %q, latest id %d (use.latest.version=true)", ErrLatestDiffers, subject, id)
	}
	c.latestOK.Store(k, true)
	return nil
}

// ToConnect reads bytes in the Confluent wire format with the writer schema
// fetched from the registry. Nil bytes give a nil schema and value.
func (c *Converter) ToConnect(ctx context.Context, topic string, data []byte) (*connectors.Schema, any, error) {
	if data == nil {
		return nil, nil, nil
	}
	id, payload, err := schemaregistry.SplitHeader(data)
	if err != nil {
		return nil, nil, deserializeError(topic, err)
	}
	r, err := c.readerFor(ctx, topic, id)
	if err != nil {
		return nil, nil, deserializeError(topic, err)
	}
	d := decoder{r: avsc.NewReader(payload)}
	v, err := d.value(r.avro, r.connect)
	if err == nil && d.r.Error != nil {
		err = d.r.Error
	}
	if err != nil {
		return nil, nil, deserializeError(topic, fmt.Errorf("schema id %d: %w", id, err))
	}
	return r.connect, v, nil
}

func (c *Converter) readerFor(ctx context.Context, topic string, id int) (*reader, error) {
	k := readerKey{id, topic}
	c.mu.RLock()
	r, ok := c.readers[k]
	c.mu.RUnlock()
	if ok {
		return r, nil
	}
	s, err := c.reg.SchemaByID(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := avsc.Parse(s.Schema)
	if err != nil {
		return nil, fmt.Errorf("%w: schema id %d is not a valid Avro schema: %v", connectors.ErrData, id, err)
	}
	cs, err := toConnectSchema(a)
	if err != nil {
		return nil, err
	}
	if rec, ok := a.(*avsc.RecordSchema); ok && cs.Version == nil {
		cs = c.reg.WithVersion(ctx, topic, c.isKey, rec.FullName(), s, cs)
	}
	r = &reader{avro: a, connect: cs}
	c.mu.Lock()
	c.readers[k] = r
	c.mu.Unlock()
	return r, nil
}

func serializeError(topic string, err error) error {
	return schemaregistry.Wrap(fmt.Sprintf("Failed to serialize Avro data from topic %s", topic), err)
}

func deserializeError(topic string, err error) error {
	return schemaregistry.Wrap(fmt.Sprintf("Failed to deserialize data for topic %s to Avro", topic), err)
}
