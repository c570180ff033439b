// Package catalogue is the one list of every plugin ferry ships — connectors,
// transformations, predicates, converters — and how each part of a
// connector config that names one is declared and checked. The scheduler
// receives it through its small Catalogue interface, so it validates
// transformations and converters without importing them.
package catalogue

import (
	"sort"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/transforms"
	"github.com/ferryhq/ferry/transforms/convert"
	"github.com/ferryhq/ferry/transforms/pipeline"
)

// converterKeys are the connector keys that name a converter class.
var converterKeys = []string{"key.converter", "value.converter", "header.converter"}

// Catalogue holds the connector registry, the other components, and the
// worker's converter defaults that connector configs fall back on.
type Catalogue struct {
	registry   *connectors.Registry
	components []connectors.Component
	transforms *transforms.Registry
	worker     map[string]string
}

// New returns the catalogue of the built-in plugins. worker holds the
// worker-level converter keys (key.converter, value.converter.*) applied
// when a connector names none; version is shown for the non-connector plugins.
func New(worker map[string]string, version string) *Catalogue {
	return WithConnectors(builtin.Registry(), worker, version)
}

// WithConnectors is New with another set of connectors (tests add their own).
func WithConnectors(reg *connectors.Registry, worker map[string]string, version string) *Catalogue {
	return WithPlugins(reg, nil, worker, version)
}

// WithPlugins is New with other connectors and other transformations and
// predicates (nil tr: the built-in ones), as a custom build (`ferry build`)
// has them. A transformation's own Version is shown when it has one.
func WithPlugins(reg *connectors.Registry, tr *transforms.Registry, worker map[string]string, version string) *Catalogue {
	c := &Catalogue{registry: reg, transforms: tr, worker: worker}
	for _, d := range convert.Plugins() {
		c.components = append(c.components, connectors.Component{Class: d.Class, Type: d.Type, Version: version, Config: d.Config})
	}
	for _, d := range tr.Plugins() {
		v := version
		if d.Version != "" {
			v = d.Version
		}
		c.components = append(c.components, connectors.Component{Class: d.Class, Type: d.Type, Version: v,
			Aliases: d.Aliases, Config: d.Config})
	}
	sort.SliceStable(c.components, func(i, j int) bool { return c.components[i].Class < c.components[j].Class })
	return c
}

// Connectors returns the connector classes.
func (c *Catalogue) Connectors() *connectors.Registry { return c.registry }

// Components lists every converter, transformation and predicate, sorted by class.
func (c *Catalogue) Components() []connectors.Component { return c.components }

// Parts lists the transformations, predicates and converters config names,
// in the order Kafka Connect shows them, and checks them exactly as a
// function will build them (the chain, then the converters resolved with
// the worker's defaults): every problem is a *connectors.ConfigError naming
// the full key.
func (c *Catalogue) Parts(config map[string]string) ([]connectors.Part, error) {
	var parts []connectors.Part
	for _, kind := range []struct {
		list, group string
		t           connectors.PluginType
	}{
		{"transforms", "Transforms", connectors.TypeTransformation},
		{"predicates", "Predicates", connectors.TypePredicate},
	} {
		for _, alias := range connectors.SplitList(config[kind.list]) {
			prefix, group := kind.list+"."+alias+".", kind.group+": "+alias
			p := connectors.Part{Prefix: prefix, Group: group}
			for _, k := range transforms.ImplicitKeys(kind.t, alias) {
				k.Group = group
				p.Extra = append(p.Extra, k)
			}
			if d, ok := c.transforms.Lookup(config[prefix+"type"]); ok && d.Type == kind.t {
				p.Config, p.Passed = d.Config, d.Passed
			}
			parts = append(parts, p)
		}
	}
	for _, key := range converterKeys {
		p := connectors.Part{Prefix: key + ".", Open: true}
		if d, err := convert.Lookup(config[key]); err == nil && strings.TrimSpace(config[key]) != "" {
			p.Config = d.Config
		}
		parts = append(parts, p)
	}
	return parts, pipeline.Check(config, c.worker, c.transforms)
}
