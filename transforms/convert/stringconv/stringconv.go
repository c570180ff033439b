// Package stringconv is Kafka Connect's StringConverter
// (org.apache.kafka.connect.storage.StringConverter): values are written as
// their string form in the configured encoding and read back as optional
// strings. It is also a HeaderConverter.
package stringconv

import (
	"context"
	"encoding/binary"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// Class is the Kafka Connect class name of this converter.
const Class = "org.apache.kafka.connect.storage.StringConverter"

// Config is StringConverterConfig.
type Config struct {
	ConverterType string `config:"converter.type" enum:"key,value,header" importance:"low" doc:"How this converter will be used (key, value or header); set by the runtime."`
	Encoding      string `config:"converter.encoding" default:"UTF-8" importance:"high" display:"Encoding" doc:"The name of the Java character set to use for encoding strings as byte arrays: UTF-8, US-ASCII, ISO-8859-1, UTF-16, UTF-16BE or UTF-16LE."`
}

// Converter is a configured StringConverter; it keeps no state.
type Converter struct {
	cfg Config
	cs  charset
}

type charset uint8

const (
	utf8cs charset = iota
	asciiCS
	latin1CS
	utf16beCS
	utf16leCS
	utf16CS // big-endian with a byte-order mark on write, as Java's "UTF-16"
)

var charsets = map[string]charset{
	"UTF-8": utf8cs, "UTF8": utf8cs, "US-ASCII": asciiCS, "ASCII": asciiCS,
	"ISO-8859-1": latin1CS, "ISO8859_1": latin1CS, "LATIN1": latin1CS,
	"UTF-16": utf16CS, "UTF-16BE": utf16beCS, "UTF-16LE": utf16leCS,
}

// New returns a StringConverter for keys or values.
func New(props map[string]string, isKey bool) (*Converter, error) {
	typ := "value"
	if isKey {
		typ = "key"
	}
	return newConverter(props, typ)
}

// NewHeader returns a StringConverter for header values.
func NewHeader(props map[string]string) (*Converter, error) { return newConverter(props, "header") }

func newConverter(props map[string]string, typ string) (*Converter, error) {
	var cfg Config
	if err := connectors.Declare(&cfg).Parse(props, &cfg); err != nil {
		return nil, err
	}
	if cfg.ConverterType == "" {
		cfg.ConverterType = typ
	}
	cs, ok := charsets[strings.ToUpper(cfg.Encoding)]
	if !ok {
		return nil, connectors.ConfigErrors{{Key: "converter.encoding", Value: cfg.Encoding,
			Reason: "Unsupported encoding; use UTF-8, US-ASCII, ISO-8859-1, UTF-16, UTF-16BE or UTF-16LE"}}
	}
	return &Converter{cfg: cfg, cs: cs}, nil
}

// FromConnect writes value.toString() in the configured encoding; the schema
// is ignored and null gives nil bytes.
func (c *Converter) FromConnect(ctx context.Context, topic string, schema *connectors.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	return c.encode(toString(value)), nil
}

// AppendFromConnect appends what FromConnect returns for a non-null value to
// dst, for a caller packing many records into one buffer.
func (c *Converter) AppendFromConnect(dst []byte, ctx context.Context, topic string, schema *connectors.Schema, value any) ([]byte, error) {
	if s, ok := value.(string); ok && c.cs == utf8cs {
		return append(dst, s...), nil
	}
	return append(dst, c.encode(toString(value))...), nil
}

// ToConnect returns the decoded text with the optional string schema.
func (c *Converter) ToConnect(ctx context.Context, topic string, data []byte) (*connectors.Schema, any, error) {
	if data == nil {
		return connectors.OptionalStringSchema, nil, nil
	}
	return connectors.OptionalStringSchema, c.decode(data), nil
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

// toString renders a value as Java's toString would for the record model's
// types. Deliberate difference: []byte is written raw (Java prints "[B@1f2a3b").
func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case float64:
		return string(connectjson.AppendJavaDouble(nil, x))
	case float32:
		return string(connectjson.AppendJavaFloat(nil, x))
	case int8:
		return strconv.Itoa(int(x))
	case int16:
		return strconv.Itoa(int(x))
	case int32:
		return strconv.Itoa(int(x))
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case connectors.Decimal:
		return string(connectjson.AppendBigDecimal(nil, x))
	case *connectors.Struct:
		return x.String()
	}
	return anyString(v)
}

func (c *Converter) encode(s string) []byte {
	switch c.cs {
	case asciiCS, latin1CS:
		limit := rune(0x7F)
		if c.cs == latin1CS {
			limit = 0xFF
		}
		out := make([]byte, 0, len(s))
		for _, r := range s {
			if r > limit {
				r = '?'
			}
			out = append(out, byte(r))
		}
		return out
	case utf16CS, utf16beCS, utf16leCS:
		units := utf16.Encode([]rune(s))
		out := make([]byte, 0, 2*len(units)+2)
		if c.cs == utf16CS {
			out = append(out, 0xFE, 0xFF)
		}
		for _, u := range units {
			if c.cs == utf16leCS {
				out = binary.LittleEndian.AppendUint16(out, u)
			} else {
				out = binary.BigEndian.AppendUint16(out, u)
			}
		}
		return out
	}
	return []byte(s)
}

func (c *Converter) decode(b []byte) string {
	switch c.cs {
	case asciiCS, latin1CS:
		var sb strings.Builder
		for _, x := range b {
			if c.cs == asciiCS && x > 0x7F {
				sb.WriteRune(utf8.RuneError)
			} else {
				sb.WriteRune(rune(x))
			}
		}
		return sb.String()
	case utf16CS, utf16beCS, utf16leCS:
		return decodeUTF16(b, c.cs)
	}
	return string(b)
}

func decodeUTF16(b []byte, cs charset) string {
	order := binary.ByteOrder(binary.BigEndian)
	if cs == utf16leCS {
		order = binary.LittleEndian
	}
	if cs == utf16CS && len(b) >= 2 {
		switch {
		case b[0] == 0xFE && b[1] == 0xFF:
			b = b[2:]
		case b[0] == 0xFF && b[1] == 0xFE:
			order, b = binary.LittleEndian, b[2:]
		}
	}
	units := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		units = append(units, order.Uint16(b[i:]))
	}
	s := string(utf16.Decode(units))
	if len(b)%2 == 1 {
		s += string(utf8.RuneError)
	}
	return s
}
