// Package json is Kafka Connect's JsonConverter (org.apache.kafka.connect.json.JsonConverter),
// byte-exact: the same envelope, schema JSON field order, number formatting
// (Java's Double.toString), base64 bytes, Decimal/Date/Time/Timestamp encodings
// and error messages. It is also a HeaderConverter.
//
// Deliberate differences from the Java class, all documented where they occur:
//   - a schemaless map[string]any is written with its keys sorted (Java's HashMap
//     iteration order cannot be reproduced);
//   - schema parameters are written in sorted key order (the record model keeps
//     them in a map);
//   - reading a payload whose JSON type does not match its schema (a string for
//     an int32, a number for a string) is an error; Jackson silently yields 0,
//     false or null;
//   - floats are formatted as JDK 19+ Double.toString does (shortest repr); older
//     JDKs sometimes print one more digit.
package json

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// Class is the Kafka Connect class name of this converter.
const Class = "org.apache.kafka.connect.json.JsonConverter"

// Config is JsonConverterConfig: the keys of Kafka Connect's JsonConverter.
type Config struct {
	ConverterType          string `config:"converter.type" enum:"key,value,header" importance:"low" doc:"How this converter will be used (key, value or header); set by the runtime."`
	SchemasEnable          bool   `config:"schemas.enable" default:"true" importance:"high" group:"Schemas" display:"Enable Schemas" doc:"Include schemas within each of the serialized values and keys."`
	SchemasCacheSize       int    `config:"schemas.cache.size" default:"1000" min:"0" importance:"high" group:"Schemas" display:"Schema Cache Size" doc:"The maximum number of schemas that can be cached in this converter instance."`
	DecimalFormat          string `config:"decimal.format" default:"BASE64" enum:"BASE64,NUMERIC" importance:"low" group:"Serialization" display:"Decimal Format" doc:"Controls which format this converter will serialize decimals in: BASE64 (binary) or NUMERIC (JSON number)."`
	ReplaceNullWithDefault bool   `config:"replace.null.with.default" default:"true" importance:"low" group:"Serialization" display:"Replace null with default" doc:"Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."`
}

// Converter is a configured JsonConverter. It is safe for concurrent use.
type Converter struct {
	cfg     Config
	numeric bool
	// writeCache maps a schema (by pointer: schemas are immutable) to its JSON.
	writeCache *lru[*connectors.Schema, []byte]
	// readCache maps the raw schema JSON of an envelope to the parsed schema.
	readCache *lru[string, *rschema]
	// lastRead is the schema of the last envelope read the usual way
	// (readUsual), nil while readCache is disabled.
	lastRead atomic.Pointer[rawSchema]
	sizeHint atomic.Int64
	// keys interns the object keys of schemaless values.
	keys keyTable
}

// New returns a JsonConverter for record keys (isKey) or values, configured
// from props (keys as in Kafka Connect, without the `value.converter.` prefix).
// A bad value is reported as connectors.ConfigErrors.
func New(props map[string]string, isKey bool) (*Converter, error) {
	typ := "value"
	if isKey {
		typ = "key"
	}
	return newConverter(props, typ)
}

// NewHeader returns a JsonConverter used for header values.
func NewHeader(props map[string]string) (*Converter, error) { return newConverter(props, "header") }

func newConverter(props map[string]string, typ string) (*Converter, error) {
	var cfg Config
	if err := connectors.Declare(&cfg).Parse(props, &cfg); err != nil {
		return nil, err
	}
	if cfg.ConverterType == "" {
		cfg.ConverterType = typ
	}
	cfg.DecimalFormat = strings.ToUpper(cfg.DecimalFormat)
	c := &Converter{
		cfg:        cfg,
		numeric:    cfg.DecimalFormat == "NUMERIC",
		writeCache: newLRU[*connectors.Schema, []byte](cfg.SchemasCacheSize),
		readCache:  newLRU[string, *rschema](cfg.SchemasCacheSize),
	}
	c.sizeHint.Store(128)
	return c, nil
}

// Config returns the parsed configuration.
func (c *Converter) Config() Config { return c.cfg }

// FromConnect serializes a value, with the {"schema","payload"} envelope when
// schemas.enable is true. A null schema with a null value is a tombstone: nil bytes.
func (c *Converter) FromConnect(ctx context.Context, topic string, schema *connectors.Schema, value any) ([]byte, error) {
	if schema == nil && value == nil {
		return nil, nil
	}
	return c.AppendFromConnect(make([]byte, 0, c.sizeHint.Load()), ctx, topic, schema, value)
}

// AppendFromConnect appends what FromConnect returns for a non-null value
// (or schema) to buf, for a caller packing many records into one buffer.
func (c *Converter) AppendFromConnect(buf []byte, ctx context.Context, topic string, schema *connectors.Schema, value any) ([]byte, error) {
	start := len(buf)
	var err error
	if c.cfg.SchemasEnable {
		buf = append(buf, `{"schema":`...)
		if schema == nil {
			buf = append(buf, "null"...)
		} else if buf, err = c.appendSchema(buf, schema); err != nil {
			return nil, err
		}
		buf = append(buf, `,"payload":`...)
	}
	opts := connectjson.Options{ReplaceNullWithDefault: c.cfg.ReplaceNullWithDefault, DecimalNumeric: c.numeric}
	if buf, err = connectjson.AppendValue(buf, schema, value, opts); err != nil {
		return nil, err
	}
	if c.cfg.SchemasEnable {
		buf = append(buf, '}')
	}
	if n := int64(len(buf) - start); n > c.sizeHint.Load() {
		c.sizeHint.Store(n + n/8)
	}
	return buf, nil
}

// appendSchema writes the schema JSON, rendered once per schema and cached.
func (c *Converter) appendSchema(buf []byte, s *connectors.Schema) ([]byte, error) {
	if js, ok := c.writeCache.get(s); ok {
		return append(buf, js...), nil
	}
	start := len(buf)
	buf, err := connectjson.AppendSchema(buf, s, connectjson.Options{ReplaceNullWithDefault: c.cfg.ReplaceNullWithDefault, DecimalNumeric: c.numeric})
	if err != nil {
		return nil, err
	}
	c.writeCache.put(s, append([]byte(nil), buf[start:]...))
	return buf, nil
}

// ToConnect parses bytes written by a JsonConverter. Nil bytes (a tombstone)
// give a nil schema and value.
func (c *Converter) ToConnect(ctx context.Context, topic string, data []byte) (*connectors.Schema, any, error) {
	if data == nil {
		return nil, nil, nil
	}
	if c.cfg.SchemasEnable {
		return c.readEnvelope(data)
	}
	d := decoder{data: data, replaceNull: c.cfg.ReplaceNullWithDefault, keys: &c.keys}
	d.ws()
	if d.pos >= len(d.data) {
		return nil, nil, nil
	}
	// An object's or array's values share blocks (box.go).
	d.share = d.data[d.pos] == '{' || d.data[d.pos] == '['
	v, err := d.schemaless()
	if err != nil {
		return nil, nil, serializationError(err)
	}
	return nil, v, nil
}

// FromConnectHeader serializes a header value exactly as FromConnect does.
func (c *Converter) FromConnectHeader(ctx context.Context, topic, key string, schema *connectors.Schema, value any) ([]byte, error) {
	return c.FromConnect(ctx, topic, schema, value)
}

// ToConnectHeader parses a header value exactly as ToConnect does.
func (c *Converter) ToConnectHeader(ctx context.Context, topic, key string, data []byte) (*connectors.Schema, any, error) {
	return c.ToConnect(ctx, topic, data)
}
