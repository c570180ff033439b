package sdk_test

import (
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/sdk"
)

// Config declares the transformation's keys (those under transforms.<alias>.).
type Config struct {
	Prefix string `config:"prefix" required:"true" doc:"Text put before every string value."`
}

// Prefix puts a text before string values.
type Prefix struct{ text string }

// New parses the keys and returns the transformation.
func New(props map[string]string) (*Prefix, error) {
	var cfg Config
	if err := connectors.ParseChecked("Prefix", props, &cfg); err != nil {
		return nil, err
	}
	return &Prefix{text: cfg.Prefix}, nil
}

// Apply returns a changed copy; the input record is never changed.
func (p *Prefix) Apply(r *connectors.Record) (*connectors.Record, error) {
	s, ok := r.Value.(string)
	if !ok {
		return nil, fmt.Errorf("Prefix: a %T value, want a string", r.Value)
	}
	out := r.Clone()
	out.Value = p.text + s
	return out, nil
}

// IsEmpty matches records whose value is an empty string.
type IsEmpty struct{}

// Test reports whether r's value is "".
func (IsEmpty) Test(r *connectors.Record) bool { return r.Value == "" }

// A transformation is described by its class, its config and its
// constructor; the chain calls the constructor with the alias's keys.
func ExampleDescribe() {
	d := sdk.Describe("com.example.Prefix", Config{}, New)
	t, err := d.NewTransform(map[string]string{"prefix": "re:"})
	if err != nil {
		panic(err)
	}
	out, err := t.Apply(&connectors.Record{Topic: "t", Value: "hello"})
	fmt.Println(d.Type, out.Value, err)
	_, err = d.NewTransform(map[string]string{})
	fmt.Println(strings.Contains(err.Error(), `"prefix"`))
	// Output:
	// transformation re:hello <nil>
	// true
}

// A module's root package exports its plugins in one function; ferry build
// adds them to the registries of the custom ferry.
func ExampleBundle() {
	plugins := func() sdk.Bundle {
		return sdk.Bundle{Transforms: []sdk.Descriptor{
			sdk.Describe("com.example.Prefix", Config{}, New),
			sdk.DescribePredicate("com.example.IsEmpty", nil, func(map[string]string) (IsEmpty, error) { return IsEmpty{}, nil }),
		}}
	}
	b := plugins()
	fmt.Println(b.Len(), b.Transforms[1].Type)
	// Output: 2 predicate
}
