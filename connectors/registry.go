package connectors

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrUnknownClass is returned when a connector class is not registered.
var ErrUnknownClass = errors.New("unknown connector class")

// Registry finds plugins by full class name or alias. Build it once from an
// explicit list (connectors/builtin); there is no init-time registration.
type Registry struct {
	byName  map[string]*Plugin
	plugins []*Plugin
}

// NewRegistry indexes plugins under their class name, simple name, simple name
// without the "Connector" suffix, and declared aliases.
func NewRegistry(plugins ...Plugin) *Registry {
	r := &Registry{byName: map[string]*Plugin{}}
	for i := range plugins {
		p := &plugins[i]
		r.plugins = append(r.plugins, p)
		simple := p.Class[strings.LastIndexAny(p.Class, ".$")+1:]
		for _, n := range append([]string{p.Class, simple, strings.TrimSuffix(simple, "Connector")}, p.Aliases...) {
			if n != "" {
				r.byName[n] = p
			}
		}
	}
	sort.Slice(r.plugins, func(i, j int) bool { return r.plugins[i].Class < r.plugins[j].Class })
	return r
}

// Lookup finds a plugin by class name or alias.
func (r *Registry) Lookup(name string) (*Plugin, error) {
	if p, ok := r.byName[strings.TrimSpace(name)]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("%w %q; known classes: %s", ErrUnknownClass, name, strings.Join(r.Classes(), ", "))
}

// Plugins returns every plugin, sorted by class name.
func (r *Registry) Plugins() []*Plugin { return r.plugins }

// Classes returns every full class name, sorted.
func (r *Registry) Classes() []string {
	out := make([]string, len(r.plugins))
	for i, p := range r.plugins {
		out[i] = p.Class
	}
	return out
}
