// Package convert holds ferry's converters: the code that turns Connect data
// (schemas and values of the connectors record model) into the bytes stored in
// Kafka and back, byte-for-byte as Kafka Connect's converters do.
//
// Each converter lives in its own sub-package (json, stringconv, bytearray,
// simpleheader) and returns concrete types; this package declares the small
// interfaces the runtime uses, the class-name registry and the per-connector
// resolution of key, value and header converters (ForConnector).
package convert

import (
	"context"
	"errors"

	"github.com/ferryhq/ferry/connectors"
)

// Converter turns Connect data into bytes for Kafka and back (Kafka Connect's Converter).
type Converter interface {
	FromConnect(ctx context.Context, topic string, schema *connectors.Schema, value any) ([]byte, error)
	ToConnect(ctx context.Context, topic string, data []byte) (*connectors.Schema, any, error)
}

// HeaderConverter does the same for one header value.
type HeaderConverter interface {
	FromConnectHeader(ctx context.Context, topic, key string, schema *connectors.Schema, value any) ([]byte, error)
	ToConnectHeader(ctx context.Context, topic, key string, data []byte) (*connectors.Schema, any, error)
}

// ErrUnknownConverter is returned when a converter class name is not registered:
// fix the `*.converter` key of the connector or worker config.
var ErrUnknownConverter = errors.New("unknown converter class")

// ErrNotConverter is returned when a class exists but cannot play the asked
// role (SimpleHeaderConverter as a key converter): pick another class.
var ErrNotConverter = errors.New("class cannot be used in this role")

// Set is the converters of one connector, built by ForConnector.
type Set struct {
	Key    Converter
	Value  Converter
	Header HeaderConverter
	// Classes are the class names ForConnector resolved for each role, as
	// configured (connector, else worker, else the default): for traces and
	// dead-letter headers.
	Classes Classes
}

// Classes names the key, value and header converter classes of a Set.
type Classes struct{ Key, Value, Header string }
