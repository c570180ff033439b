package convert

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/json"
	"github.com/ferryhq/ferry/transforms/convert/simpleheader"
)

// Default classes when neither the connector nor the worker names one. Kafka
// Connect's worker requires key.converter and value.converter; ferry defaults
// them to JsonConverter (with its own defaults, so schemas.enable=true).
const (
	DefaultKeyConverter    = json.Class
	DefaultValueConverter  = json.Class
	DefaultHeaderConverter = simpleheader.Class
)

// ForConnector builds the key, value and header converters of a connector.
//
// For each of key.converter, value.converter and header.converter:
//   - when the connector config names a class, that class is used with the
//     connector's `<role>.converter.*` properties only (worker properties are
//     meant for the worker's class, not this one);
//   - otherwise the worker's class is used, with the worker's
//     `<role>.converter.*` properties overlaid by the connector's;
//   - when neither names a class, the default (JsonConverter for keys and
//     values, SimpleHeaderConverter for headers) is used with the worker's
//     properties overlaid by the connector's.
//
// Unknown classes and bad properties are reported with the full key names.
func ForConnector(connector, worker map[string]string) (Set, error) {
	var set Set
	var errs []error
	key, err := resolve("key.converter", DefaultKeyConverter, connector, worker)
	if err == nil {
		set.Key, err = build(key, true)
	}
	errs = append(errs, err)
	value, err := resolve("value.converter", DefaultValueConverter, connector, worker)
	if err == nil {
		set.Value, err = build(value, false)
	}
	errs = append(errs, err)
	header, err := resolve("header.converter", DefaultHeaderConverter, connector, worker)
	if err == nil {
		set.Header, err = buildHeader(header)
	}
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return Set{}, err
	}
	set.Classes = Classes{Key: key.class, Value: value.class, Header: header.class}
	return set, nil
}

// choice is a resolved class and its properties for one role.
type choice struct {
	key   string // "value.converter"
	class string
	desc  Descriptor
	props map[string]string
}

func resolve(key, def string, connector, worker map[string]string) (choice, error) {
	c := choice{key: key}
	prefix := key + "."
	if cls := strings.TrimSpace(connector[key]); cls != "" {
		c.class, c.props = cls, sub(connector, prefix, nil)
	} else if cls := strings.TrimSpace(worker[key]); cls != "" {
		c.class, c.props = cls, sub(connector, prefix, sub(worker, prefix, nil))
	} else {
		c.class, c.props = def, sub(connector, prefix, sub(worker, prefix, nil))
	}
	d, err := Lookup(c.class)
	if err != nil {
		return c, &connectors.ConfigError{Key: key, Value: c.class, Reason: fmt.Sprintf("Class %s could not be found. Known converters: %s", c.class, strings.Join(knownClasses(), ", ")),
			Err: ErrUnknownConverter}
	}
	c.desc = d
	return c, nil
}

// sub copies the props under prefix (prefix removed) over into.
func sub(props map[string]string, prefix string, into map[string]string) map[string]string {
	if into == nil {
		into = map[string]string{}
	}
	for k, v := range props {
		if strings.HasPrefix(k, prefix) {
			into[k[len(prefix):]] = v
		}
	}
	return into
}

func build(c choice, isKey bool) (Converter, error) {
	if c.desc.New == nil {
		return nil, &connectors.ConfigError{Key: c.key, Value: c.class, Err: ErrNotConverter,
			Reason: fmt.Sprintf("%s is a header converter only; use a Converter class such as %s", c.desc.Class, json.Class)}
	}
	conv, err := c.desc.New(c.props, isKey)
	return conv, prefixErrors(c.key, err)
}

func buildHeader(c choice) (HeaderConverter, error) {
	if c.desc.NewHeader == nil {
		return nil, &connectors.ConfigError{Key: c.key, Value: c.class, Err: ErrNotConverter,
			Reason: fmt.Sprintf("%s is not a HeaderConverter", c.desc.Class)}
	}
	conv, err := c.desc.NewHeader(c.props)
	return conv, prefixErrors(c.key, err)
}

// prefixErrors renames config errors to the keys the user wrote
// (schemas.enable → value.converter.schemas.enable).
func prefixErrors(key string, err error) error {
	var ces connectors.ConfigErrors
	if !errors.As(err, &ces) {
		return err
	}
	out := make(connectors.ConfigErrors, len(ces))
	for i, e := range ces {
		cp := *e
		cp.Key = key + "." + e.Key
		out[i] = &cp
	}
	return out
}
