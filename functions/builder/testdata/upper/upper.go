// Package upper is an example third-party Single Message Transform built
// into ferry by `ferry build --with example.com/ferry-upper=DIR`: it upper-cases
// a record's string value.
package upper

import (
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/sdk"
)

// Class is the transformation's class name, as configs write it in transforms.<alias>.type.
const Class = "com.example.ferry.Upper$Value"

// Config declares the transformation's keys.
type Config struct {
	Locale string `config:"locale" default:"root" enum:"root" importance:"low" doc:"Locale of the case mapping; only root is supported."`
}

// Upper upper-cases string record values.
type Upper struct{}

// New returns the transformation for props (the keys under transforms.<alias>.).
func New(props map[string]string) (*Upper, error) {
	var cfg Config
	if err := connectors.ParseChecked("Upper", props, &cfg); err != nil {
		return nil, err
	}
	return &Upper{}, nil
}

// Apply returns a copy of r with its string value upper-cased; any other
// value is a per-record error, handled by errors.tolerance.
func (*Upper) Apply(r *connectors.Record) (*connectors.Record, error) {
	s, ok := r.Value.(string)
	if !ok {
		return nil, fmt.Errorf("Upper: %s-%d has a %T value, want a string", r.Topic, r.Partition, r.Value)
	}
	out := r.Clone()
	out.Value = strings.ToUpper(s)
	return out, nil
}

// Plugins is what ferry build adds to a custom ferry.
func Plugins() sdk.Bundle {
	return sdk.Bundle{Transforms: []sdk.Descriptor{sdk.Describe(Class, Config{}, New)}}
}
