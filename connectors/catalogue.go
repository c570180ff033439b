package connectors

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
)

// Checker is an optional ability of a declared config struct: the cross-key
// rules its field tags cannot express (Kafka's ConfigDef validators that look
// at several keys). Parse never calls it; CheckConfig and every connector's
// own parse do.
type Checker interface {
	// Check reports each broken rule as a *ConfigError naming the key to fix,
	// several as ConfigErrors.
	Check() error
}

// Component describes a converter, transformation or predicate class: what
// GET /connector-plugins lists and GET /connector-plugins/{p}/config shows.
type Component struct {
	// Class is the full Kafka Connect class name (with $Key/$Value variants).
	Class string
	// Aliases are extra accepted names; the simple class name always is one.
	Aliases []string
	Type    PluginType
	Version string
	// Config is a zero value of the component's config struct (Declare), nil without keys.
	Config any
}

// Part is one component a connector config names beyond the connector
// itself (a transformation, a predicate, a converter), as validation and
// GET/PUT .../config/validate show it: its keys live under Prefix.
type Part struct {
	// Prefix is put before each declared key ("transforms.mask.").
	Prefix string
	// Group replaces each key's own group when set ("Transforms: mask").
	Group string
	// Config is a zero value of the component's config struct; nil when the
	// class is unknown or declares no keys.
	Config any
	// Extra are keys declared outside the struct (transforms.mask.type).
	Extra []ConfigKey
	// Open means any key under Prefix is accepted (converters hand unknown
	// keys on to their serializer and Schema Registry client).
	Open bool
	// Passed are prefixes, under Prefix, of keys the component hands on
	// undeclared (a WebAssembly module's own "config." keys).
	Passed []string
}

// Keys lists the part's keys under their full names and shown group.
func (p Part) Keys() []ConfigKey {
	var out []ConfigKey
	for _, k := range p.Extra {
		k.Name = p.Prefix + k.Name
		out = append(out, k)
	}
	if p.Config != nil {
		for _, k := range Declare(p.Config).Keys {
			k.Name = p.Prefix + k.Name
			if p.Group != "" {
				k.Group = p.Group
			}
			out = append(out, k)
		}
	}
	return out
}

// ParseValid is Parse that, when some keys fail to parse, still fills dst
// with every other key (the failing ones at their defaults) and returns the
// errors; whole is false when dst could not be filled (a required key missing).
func (d *ConfigDef) ParseValid(props map[string]string, dst any) (whole bool, err error) {
	err = d.Parse(props, dst)
	var ces ConfigErrors
	if !errors.As(err, &ces) {
		return true, err
	}
	rest := maps.Clone(props)
	for _, e := range ces {
		delete(rest, e.Key)
	}
	return d.Parse(rest, dst) == nil, err
}

// CheckConfig parses props with the declaration of sample's struct type and
// applies its Checker. When some keys fail to parse, the cross-key rules
// still run with those keys at their defaults, so every problem is reported
// at once. A nil sample has nothing to check.
func CheckConfig(sample any, props map[string]string) error {
	if sample == nil {
		return nil
	}
	dst := newOf(sample)
	whole, err := Declare(sample).ParseValid(props, dst)
	if !whole {
		return err
	}
	if c, ok := dst.(Checker); ok {
		err = errors.Join(err, c.Check())
	}
	return err
}

// newOf returns a pointer to a new zero value of sample's struct type.
func newOf(sample any) any {
	t := reflect.TypeOf(sample)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return reflect.New(t).Interface()
}

// ParseChecked parses props into dst, a pointer to a declared config
// struct, and applies its Checker: what a connector's TaskConfigs and a
// task's Open need. Errors start with what ("redis sink config: …").
func ParseChecked(what string, props map[string]string, dst any) error {
	if err := Declare(dst).Parse(props, dst); err != nil {
		return fmt.Errorf("%s config: %w", what, err)
	}
	if c, ok := dst.(Checker); ok {
		if err := c.Check(); err != nil {
			return fmt.Errorf("%s config: %w", what, err)
		}
	}
	return nil
}
