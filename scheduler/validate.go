package scheduler

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/ferryhq/ferry/connectors"
)

// Catalogue is every plugin a connector config may name: the connectors, and
// the converters, transformations and predicates with how the parts of a
// config that name them are declared and checked. transforms/catalogue is
// ferry's; tests give their own.
type Catalogue interface {
	// Connectors finds connector classes.
	Connectors() *connectors.Registry
	// Components lists the converters, transformations and predicates.
	Components() []connectors.Component
	// Parts lists the transformations, predicates and converters config
	// names and checks them as a function will build them; errors name the
	// full key (*connectors.ConfigError, several as errors.Join).
	Parts(config map[string]string) ([]connectors.Part, error)
}

// allowedPrefixes are key prefixes handed on to Kafka clients or config
// providers, so no declaration lists their keys.
var allowedPrefixes = []string{"producer.override.", "consumer.override.", "admin.override.", "config.providers"}

// finding is one problem with one key.
type finding struct{ key, msg string }

// verdict is what the validation engine found in one connector config.
type verdict struct {
	plugin *connectors.Plugin
	// parts are every declared section in the order /config/validate shows
	// them: framework, transformations, predicates, converters, connector.
	parts []connectors.Part
	// errs are the problems in the order found, each once.
	errs []finding
	// warnings are accepted keys that have no effect (ConfigError.Warning):
	// shown by /config/validate, never a refusal.
	warnings []finding
	// unknown are the given keys no declaration knows, sorted.
	unknown []string
}

// check is the one validation engine: create, update, patch and
// /config/validate all call it. A config without a class, or naming an
// unknown one, is a 400 (Kafka Connect refuses it before validating).
func (s *Scheduler) check(config map[string]string) (*verdict, error) {
	return checkConfig(s.o.Catalogue, s.o.Unhonoured, config)
}

// checkConfig is check with the catalogue and unhonoured-key rule given.
func checkConfig(cat Catalogue, unhonoured func(map[string]string) error, config map[string]string) (*verdict, error) {
	class, ok := config["connector.class"]
	if !ok {
		return nil, badRequest("Connector config %s contains no connector type", javaMap(config))
	}
	reg := cat.Connectors()
	plugin, err := reg.Lookup(class)
	if err != nil {
		return nil, badRequest("Failed to find any class that implements Connector and which name matches %s, available connectors are: %s",
			class, strings.Join(reg.Classes(), ", "))
	}
	v := &verdict{plugin: plugin}
	if _, given := config["name"]; given {
		v.add(checkName(config["name"]))
	}
	fw := frameworkConfig(plugin.Type)
	v.add(connectors.CheckConfig(fw, config))
	v.add(connectors.CheckConfig(plugin.Config, config))
	parts, perr := cat.Parts(config)
	v.add(perr)
	if unhonoured != nil {
		v.add(unhonoured(config))
	}
	v.parts = append(append([]connectors.Part{{Config: fw}}, parts...), connectors.Part{Config: plugin.Config, Passed: plugin.Passed})
	v.unknown = unknownKeys(config, v.parts)
	return v, nil
}

// add records every problem err holds under its key; an error that names no
// key is put on connector.class.
func (v *verdict) add(err error) {
	switch e := err.(type) {
	case nil:
	case *connectors.ConfigError:
		if e.Warning {
			v.warnings = append(v.warnings, finding{e.Key, "Warning: " + e.Error() + warningTail})
			return
		}
		v.addOne(e.Key, e.Error())
	case interface{ Unwrap() []error }:
		for _, one := range e.Unwrap() {
			v.add(one)
		}
	default:
		for _, line := range strings.Split(err.Error(), "\n") {
			v.addOne("connector.class", line)
		}
	}
}

func (v *verdict) addOne(key, msg string) {
	f := finding{key, msg}
	if !slices.Contains(v.errs, f) {
		v.errs = append(v.errs, f)
	}
}

// byKey groups the problems by key.
func (v *verdict) byKey() map[string][]string {
	out := map[string][]string{}
	for _, f := range v.errs {
		out[f.key] = append(out[f.key], f.msg)
	}
	return out
}

// refusal is the 400 of a create or update with problems, in Kafka Connect's words.
func (v *verdict) refusal() error {
	if len(v.errs) == 0 {
		return nil
	}
	msgs := make([]string, len(v.errs))
	for i, f := range v.errs {
		msgs[i] = f.msg
	}
	return badRequest("Connector configuration is invalid and contains the following %d error(s):\n%s\n"+
		"You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`",
		len(msgs), strings.Join(msgs, "\n"))
}

// unknownKeys lists the keys of config that no part declares and no allowed
// prefix covers, sorted.
func unknownKeys(config map[string]string, parts []connectors.Part) []string {
	var out []string
	for key := range config {
		if !known(key, parts) {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}

func known(key string, parts []connectors.Part) bool {
	for _, p := range allowedPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	for _, p := range parts {
		rest, ok := strings.CutPrefix(key, p.Prefix)
		if !ok {
			continue
		}
		if p.Open || slices.ContainsFunc(p.Extra, func(k connectors.ConfigKey) bool { return k.Name == rest }) ||
			slices.ContainsFunc(p.Passed, func(pre string) bool { return strings.HasPrefix(rest, pre) }) {
			return true
		}
		if p.Config != nil {
			if _, ok := connectors.Declare(p.Config).Key(rest); ok {
				return true
			}
		}
	}
	return false
}

// warningTail ends the validate entry of a key accepted with no effect.
const warningTail = " The key is accepted and has no effect. Not counted in error_count."

// unknownWarning is the validate entry's text for a key no declaration knows.
func unknownWarning(key string) string {
	return "Warning: " + key + " is not a configuration key of this connector, its transformations, predicates or converters; " +
		"it is accepted and ignored (check its spelling). Not counted in error_count."
}

// frameworkConfig is the zero framework config of a connector type.
func frameworkConfig(t connectors.PluginType) any {
	if t == connectors.TypeSink {
		return connectors.SinkConnectorConfig{}
	}
	return connectors.SourceConnectorConfig{}
}

// checkName applies Kafka's NonEmptyStringWithoutControlChars to a connector
// name, blank counting as empty: POST trims the name it is given, so PUT,
// whose name comes from the URL, must refuse what POST would.
func checkName(name string) error {
	if strings.TrimSpace(name) == "" {
		return &connectors.ConfigError{Key: "name", Value: name, Reason: "String may not be empty"}
	}
	if strings.TrimSpace(name) != name {
		return &connectors.ConfigError{Key: "name", Value: name,
			Reason: "String may not begin or end with whitespace; use " + strconv.Quote(strings.TrimSpace(name))}
	}
	var bad []string
	for _, r := range name {
		if unicode.IsControl(r) {
			bad = append(bad, strconv.Itoa(int(r)))
		}
	}
	if len(bad) > 0 {
		return &connectors.ConfigError{Key: "name", Value: name,
			Reason: "String may not contain control sequences but had the following ASCII chars: " + strings.Join(bad, ", ")}
	}
	return nil
}
