package json

import (
	"bytes"
	"errors"

	"github.com/ferryhq/ferry/connectors"
)

// msgEnvelope is JsonConverter's error for data without the schemas.enable envelope.
const msgEnvelope = `JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.`

// serializationError wraps malformed JSON as Kafka Connect reports it; other
// errors (data errors found while converting) pass through.
func serializationError(err error) error {
	var se *syntaxError
	if errors.As(err, &se) {
		return connectors.DataError("Converting byte[] to Kafka Connect data failed due to serialization error: %s", se.Error())
	}
	return err
}

// readEnvelope reads {"schema":...,"payload":...}: the key order does not
// matter, duplicate keys keep the last value (as Jackson's ObjectNode), and
// anything after the object is ignored (Jackson's readTree does the same).
func (c *Converter) readEnvelope(data []byte) (*connectors.Schema, any, error) {
	if s, v, ok := c.readUsual(data); ok {
		return s, v, nil
	}
	return c.readGeneral(data)
}

// readGeneral reads any envelope: its keys and their raw values first, then
// the schema, then the payload.
func (c *Converter) readGeneral(data []byte) (*connectors.Schema, any, error) {
	d := decoder{data: data, replaceNull: c.cfg.ReplaceNullWithDefault}
	schemaRaw, payloadRaw, err := d.envelope()
	if err != nil {
		return nil, nil, serializationError(err)
	}
	if schemaRaw == nil || payloadRaw == nil {
		return nil, nil, connectors.DataError(msgEnvelope)
	}
	var r *rschema
	if !bytes.Equal(schemaRaw, []byte("null")) {
		if r, err = c.schemaFor(schemaRaw); err != nil {
			return nil, nil, serializationError(err)
		}
	}
	p := decoder{data: payloadRaw, replaceNull: c.cfg.ReplaceNullWithDefault}
	if r == nil {
		v, err := p.schemaless()
		return nil, v, serializationError(err)
	}
	v, err := p.typed(r)
	if err != nil {
		return nil, nil, serializationError(err)
	}
	return r.s, v, nil
}

// envelope returns the raw schema and payload, both nil when the top level is
// not an object with exactly those two keys.
func (d *decoder) envelope() (schemaRaw, payloadRaw []byte, err error) {
	switch d.peek() {
	case 0:
		return nil, nil, nil
	case '{':
	default:
		_, err := d.span()
		return nil, nil, err
	}
	d.pos++
	if err := d.enter(); err != nil {
		return nil, nil, err
	}
	extra := false
	for first := true; ; first = false {
		ok, err := d.more('}', first)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			break
		}
		k, err := d.key()
		if err != nil {
			return nil, nil, err
		}
		v, err := d.span()
		if err != nil {
			return nil, nil, err
		}
		switch string(k) {
		case "schema":
			schemaRaw = v
		case "payload":
			payloadRaw = v
		default:
			extra = true
		}
	}
	if extra {
		return nil, nil, nil
	}
	return schemaRaw, payloadRaw, nil
}

// rawSchema is an envelope's schema JSON (an object) and its parsed schema.
type rawSchema struct {
	raw []byte
	r   *rschema
}

// readUsual reads the usual envelope, {"schema":{...},"payload":...} in that
// order, in one pass: the payload is converted where it lies instead of
// being scanned first, and a schema with the bytes of the previous one is
// not scanned again (an object ends where its bytes end). Any other shape and
// any failure report !ok, and readEnvelope reads the data again the general
// way, so what it accepts and every error stay the same.
func (c *Converter) readUsual(data []byte) (*connectors.Schema, any, bool) {
	d := decoder{data: data, replaceNull: c.cfg.ReplaceNullWithDefault}
	if !d.consume('{') || d.enter() != nil {
		return nil, nil, false
	}
	r := c.envelopeHead(&d)
	if r == nil {
		return nil, nil, false
	}
	v, err := d.typed(r)
	if err != nil {
		return nil, nil, false
	}
	if more, err := d.more('}', false); err != nil || more {
		return nil, nil, false
	}
	return r.s, v, true
}

// envelopeHead reads an envelope's `"schema": <a schema read before>,
// "payload":` after its opening brace, leaving d at the payload; nil when
// the data has another shape or another schema.
func (c *Converter) envelopeHead(d *decoder) *rschema {
	if k, err := d.key(); err != nil || string(k) != "schema" {
		return nil
	}
	r := c.usualSchema(d)
	if r == nil {
		return nil
	}
	if more, err := d.more('}', false); err != nil || !more {
		return nil
	}
	if k, err := d.key(); err != nil || string(k) != "payload" {
		return nil
	}
	return r
}

// usualSchema reads the schema object at d's position: the last one read
// when the bytes there start with its bytes, else parsed (schemaFor), or nil
// when it is not an object or does not parse.
func (c *Converter) usualSchema(d *decoder) *rschema {
	d.ws()
	if last := c.lastRead.Load(); last != nil && bytes.HasPrefix(d.data[d.pos:], last.raw) {
		d.pos += len(last.raw)
		return last.r
	}
	raw, err := d.span()
	if err != nil || raw[0] != '{' {
		return nil
	}
	r, err := c.schemaFor(raw)
	if err != nil {
		return nil
	}
	if c.readCache.size > 0 {
		c.lastRead.Store(&rawSchema{raw: bytes.Clone(raw), r: r})
	}
	return r
}

// schemaFor returns the parsed schema of raw schema JSON, from the cache when seen before.
func (c *Converter) schemaFor(raw []byte) (*rschema, error) {
	if r, ok := getBytes(c.readCache, raw); ok {
		return r, nil
	}
	d := decoder{data: raw, replaceNull: c.cfg.ReplaceNullWithDefault}
	r, err := d.parseSchema()
	if err != nil {
		return nil, err
	}
	c.readCache.put(string(raw), r)
	return r, nil
}

// Schema parses one schema JSON object (as JsonConverter.asConnectSchema): for
// tools and tests that hold a schema without a payload. "null" gives nil.
func (c *Converter) Schema(raw []byte) (*connectors.Schema, error) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, nil
	}
	r, err := c.schemaFor(raw)
	if err != nil {
		return nil, serializationError(err)
	}
	return r.s, nil
}
