// Package protobuf is Confluent's ProtobufConverter
// (io.confluent.connect.protobuf.ProtobufConverter): a Connect STRUCT schema
// is written as a proto3 schema as Confluent's ProtobufData does (see
// protoWriter), registered in (or looked up from) a Schema Registry, and the
// value is encoded as that message with the Confluent wire format: magic byte
// 0, the 4-byte big-endian schema id, the message indexes (zigzag varints; [0]
// as the single byte 0), then the Protobuf encoding. Reading compiles the
// registered .proto text (bufbuild/protocompile); both directions walk the
// message descriptors and the wire format (protowire) directly.
//
// Proto3 has no nulls: as with Confluent's converter, a null field is not
// written, and every field read back is optional, so a Connect schema does
// not survive the round trip unchanged (values do, nulls aside).
package protobuf

import (
	"context"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/sr"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry"
)

// Class is the Confluent class name of this converter.
const Class = "io.confluent.connect.protobuf.ProtobufConverter"

// Config is ProtobufConverterConfig: the registry keys.
type Config struct {
	schemaregistry.Config
}

// Converter is a configured ProtobufConverter. It is safe for concurrent use.
type Converter struct {
	cfg   Config
	isKey bool
	reg   *schemaregistry.Registry

	mu      sync.RWMutex
	writers map[*connectors.Schema]*writer
	readers map[readerKey]*reader
}

type writer struct {
	text, fullName string
	md             protoreflect.MessageDescriptor
}

type readerKey struct {
	id    int
	index string
	topic string
}

type reader struct {
	md      protoreflect.MessageDescriptor
	connect *connectors.Schema
}

// New returns a ProtobufConverter for keys (isKey) or values configured by props.
func New(props map[string]string, isKey bool) (*Converter, error) {
	var cfg Config
	if err := schemaregistry.Parse(props, &cfg, &cfg.Config); err != nil {
		return nil, err
	}
	reg, err := schemaregistry.New(cfg.Config, sr.TypeProtobuf)
	if err != nil {
		return nil, err
	}
	return &Converter{cfg: cfg, isKey: isKey, reg: reg,
		writers: map[*connectors.Schema]*writer{}, readers: map[readerKey]*reader{}}, nil
}

// Config returns the parsed configuration.
func (c *Converter) Config() Config { return c.cfg }

// FromConnect serializes a Struct in the Confluent wire format. A null value
// is a tombstone: nil bytes.
func (c *Converter) FromConnect(ctx context.Context, topic string, schema *connectors.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	if schema == nil {
		return nil, serializeError(topic, connectors.DataError("ProtobufConverter needs a schema; the value is schemaless (%T)", value))
	}
	w, err := c.writerFor(schema)
	if err != nil {
		return nil, serializeError(topic, err)
	}
	st, ok := value.(*connectors.Struct)
	if !ok {
		return nil, serializeError(topic, mismatch(schema, value))
	}
	subject, err := c.reg.Subject(topic, c.isKey, w.fullName)
	if err != nil {
		return nil, serializeError(topic, err)
	}
	id, err := c.reg.ID(ctx, subject, w.text, nil)
	if err != nil {
		return nil, serializeError(topic, err)
	}
	b, err := appendMessage(schemaregistry.AppendHeader(make([]byte, 0, 256), id, []int{0}), w.md, schema, st)
	if err != nil {
		return nil, serializeError(topic, err)
	}
	return b, nil
}

func (c *Converter) writerFor(s *connectors.Schema) (*writer, error) {
	c.mu.RLock()
	w, ok := c.writers[s]
	c.mu.RUnlock()
	if ok {
		return w, nil
	}
	text, full, err := protoSchema(s)
	if err != nil {
		return nil, err
	}
	fd, err := compile(text)
	if err != nil {
		return nil, err
	}
	w = &writer{text: text, fullName: full, md: fd.Messages().Get(0)}
	c.mu.Lock()
	c.writers[s] = w
	c.mu.Unlock()
	return w, nil
}

// ToConnect reads bytes in the Confluent wire format with the schema fetched
// from the registry. Nil bytes give a nil schema and value.
func (c *Converter) ToConnect(ctx context.Context, topic string, data []byte) (*connectors.Schema, any, error) {
	if data == nil {
		return nil, nil, nil
	}
	id, rest, err := schemaregistry.SplitHeader(data)
	if err != nil {
		return nil, nil, deserializeError(topic, err)
	}
	index, payload, err := schemaregistry.SplitIndex(rest)
	if err != nil {
		return nil, nil, deserializeError(topic, err)
	}
	r, err := c.readerFor(ctx, topic, id, index)
	if err != nil {
		return nil, nil, deserializeError(topic, err)
	}
	st, err := readMessage(payload, r.md, r.connect)
	if err != nil {
		return nil, nil, deserializeError(topic, err)
	}
	return r.connect, st, nil
}

func (c *Converter) readerFor(ctx context.Context, topic string, id int, index []int) (*reader, error) {
	k := readerKey{id, fmt.Sprint(index), topic}
	c.mu.RLock()
	r, ok := c.readers[k]
	c.mu.RUnlock()
	if ok {
		return r, nil
	}
	rs, err := c.reg.SchemaByID(ctx, id)
	if err != nil {
		return nil, err
	}
	fd, err := compile(rs.Schema)
	if err != nil {
		return nil, err
	}
	md, err := messageAt(fd, index)
	if err != nil {
		return nil, err
	}
	s, err := toConnect(md, false)
	if err != nil {
		return nil, err
	}
	if subject, err := c.reg.Subject(topic, c.isKey, string(md.FullName())); err == nil {
		if v := c.reg.Version(ctx, subject, rs); v > 0 && s.Version == nil {
			cp := *s
			ver := int32(v)
			cp.Version = &ver
			s = &cp
		}
	}
	r = &reader{md: md, connect: s}
	c.mu.Lock()
	c.readers[k] = r
	c.mu.Unlock()
	return r, nil
}

func serializeError(topic string, err error) error {
	return schemaregistry.Wrap(fmt.Sprintf("Failed to serialize Protobuf data from topic %s", topic), err)
}

func deserializeError(topic string, err error) error {
	return schemaregistry.Wrap(fmt.Sprintf("Failed to deserialize data for topic %s to Protobuf", topic), err)
}
