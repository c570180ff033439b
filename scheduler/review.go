package scheduler

import (
	"regexp"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// Finding is one problem the validation engine found on one key.
type Finding struct {
	Key, Message string
}

// Review is what the validation engine (the one behind create, update and
// /config/validate) finds in a connector config, for tools that do not
// serve the API: `ferry migrate plan` shows it for each connector it would
// take over.
type Review struct {
	// Plugin is the connector class ferry runs for the config.
	Plugin *connectors.Plugin
	// Errors would refuse the config (a create or update answers 400).
	Errors []Finding
	// Ignored are keys ferry accepts and cannot honour (no effect).
	Ignored []Finding
	// Unknown are keys no declaration knows: accepted and ignored.
	Unknown []string
	// Differs are keys the config sets whose declaration says ferry treats
	// them differently from Kafka Connect (its doc names ferry or says the
	// key is accepted for compatibility); the message is that doc.
	Differs []Finding
}

// differs tells a declaration's doc that notes a departure from Kafka Connect.
var differs = regexp.MustCompile(`(?i)\bferry\b|for compatibility`)

// ReviewConfig runs the validation engine on config with cat and the
// unhonoured-key rule (Options.Unhonoured, may be nil). A config naming a
// class cat lacks (none counts) is an error wrapping connectors.ErrUnknownClass.
func ReviewConfig(cat Catalogue, unhonoured func(map[string]string) error, config map[string]string) (Review, error) {
	if _, err := cat.Connectors().Lookup(config["connector.class"]); err != nil {
		return Review{}, err
	}
	v, err := checkConfig(cat, unhonoured, config)
	if err != nil {
		return Review{}, err
	}
	r := Review{Plugin: v.plugin, Unknown: v.unknown}
	for _, f := range v.errs {
		r.Errors = append(r.Errors, Finding{Key: f.key, Message: f.msg})
	}
	for _, p := range v.parts {
		for _, k := range p.Keys() {
			if _, set := config[k.Name]; set && differs.MatchString(k.Doc) && !slices.ContainsFunc(r.Differs, func(f Finding) bool { return f.Key == k.Name }) {
				r.Differs = append(r.Differs, Finding{Key: k.Name, Message: k.Doc})
			}
		}
	}
	for _, f := range v.warnings {
		msg := strings.TrimSuffix(strings.TrimPrefix(f.msg, "Warning: "), warningTail)
		r.Ignored = append(r.Ignored, Finding{Key: f.key, Message: msg})
	}
	return r, nil
}
