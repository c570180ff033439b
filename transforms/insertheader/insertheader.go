// Package insertheader is Kafka Connect's InsertHeader: it appends a header
// whose value is a literal parsed as Values.parseString does.
package insertheader

import (
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/simpleheader"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is InsertHeader's configuration, key names as Kafka Connect's.
type Config struct {
	Header       string `config:"header" required:"true" importance:"medium" doc:"The name of the header."`
	ValueLiteral string `config:"value.literal" required:"true" importance:"medium" doc:"The literal value that is to be set as the header value on all records."`
}

// Transform is one configured InsertHeader.
type Transform struct {
	header connectors.Header
}

// New configures InsertHeader.
func New(props map[string]string) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	s, v := simpleheader.ParseString(props["value.literal"])
	return &Transform{header: connectors.Header{Key: c.Header, Schema: s, Value: v}}, nil
}

// Apply appends the header (an existing header of that name stays).
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	if owned {
		r.Headers = append(r.Headers, t.header)
		return r, nil
	}
	c := *r
	c.Headers = make([]connectors.Header, len(r.Headers), len(r.Headers)+1)
	copy(c.Headers, r.Headers)
	c.Headers = append(c.Headers, t.header)
	return &c, nil
}

// ApplyInPlace is Apply for a record only the chain references: it is changed instead of copied.
func (t *Transform) ApplyInPlace(r *connectors.Record, own operand.Owned) (*connectors.Record, error) {
	return t.apply(r, own.Record)
}

// Apply runs the transformation on r, which it does not change.
func (t *Transform) Apply(r *connectors.Record) (*connectors.Record, error) { return t.apply(r, false) }
