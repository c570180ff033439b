// Package bytearray is Kafka Connect's ByteArrayConverter
// (org.apache.kafka.connect.converters.ByteArrayConverter): bytes pass through
// unchanged. It is also a HeaderConverter.
package bytearray

import (
	"context"
	"fmt"

	"github.com/ferryhq/ferry/connectors"
)

// Class is the Kafka Connect class name of this converter.
const Class = "org.apache.kafka.connect.converters.ByteArrayConverter"

// Config is ByteArrayConverter's configuration: only the runtime-set type.
type Config struct {
	ConverterType string `config:"converter.type" enum:"key,value,header" importance:"low" doc:"How this converter will be used (key, value or header); set by the runtime."`
}

// Converter is a ByteArrayConverter; it keeps no state.
type Converter struct{ cfg Config }

// New returns a ByteArrayConverter for keys or values.
func New(props map[string]string, isKey bool) (*Converter, error) {
	typ := "value"
	if isKey {
		typ = "key"
	}
	return newConverter(props, typ)
}

// NewHeader returns a ByteArrayConverter for header values.
func NewHeader(props map[string]string) (*Converter, error) { return newConverter(props, "header") }

func newConverter(props map[string]string, typ string) (*Converter, error) {
	var cfg Config
	if err := connectors.Declare(&cfg).Parse(props, &cfg); err != nil {
		return nil, err
	}
	if cfg.ConverterType == "" {
		cfg.ConverterType = typ
	}
	return &Converter{cfg: cfg}, nil
}

// FromConnect returns the value's bytes as they are. The schema must be nil or
// BYTES and the value []byte or nil.
func (c *Converter) FromConnect(ctx context.Context, topic string, schema *connectors.Schema, value any) ([]byte, error) {
	if schema != nil && schema.Type != connectors.TypeBytes {
		return nil, connectors.DataError("Invalid schema type for ByteArrayConverter: %s", schema.Type)
	}
	if value == nil {
		return nil, nil
	}
	b, ok := value.([]byte)
	if !ok {
		return nil, connectors.DataError("ByteArrayConverter is not compatible with objects of type %s", goClass(value))
	}
	return b, nil
}

// ToConnect returns the bytes with the optional bytes schema.
func (c *Converter) ToConnect(ctx context.Context, topic string, data []byte) (*connectors.Schema, any, error) {
	if data == nil {
		return connectors.OptionalBytesSchema, nil, nil
	}
	return connectors.OptionalBytesSchema, data, nil
}

// FromConnectHeader is FromConnect for a header value.
func (c *Converter) FromConnectHeader(ctx context.Context, topic, key string, schema *connectors.Schema, value any) ([]byte, error) {
	return c.FromConnect(ctx, topic, schema, value)
}

// ReadNeverFails marks that ToConnect and ToConnectHeader never return an error: a
// runtime may leave a record's part unread for a sink task that does not use it
// (connectors.ValuePrinter), as nothing could have failed.
func (c *Converter) ReadNeverFails() {}

// ToConnectHeader is ToConnect for a header value.
func (c *Converter) ToConnectHeader(ctx context.Context, topic, key string, data []byte) (*connectors.Schema, any, error) {
	return c.ToConnect(ctx, topic, data)
}

func goClass(v any) string {
	switch v.(type) {
	case string:
		return "class java.lang.String"
	case int32:
		return "class java.lang.Integer"
	case int64:
		return "class java.lang.Long"
	}
	return fmt.Sprintf("%T", v)
}
