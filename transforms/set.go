package transforms

import (
	"sort"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// Registry finds transformations and predicates by class name or alias. It
// is built once from an explicit list: Builtin() holds ferry's own, and a
// custom build (`ferry build`) adds the descriptors of its modules' Bundles.
// A nil *Registry is the built-in one.
type Registry struct {
	index  map[string]*Descriptor
	sorted []Descriptor
}

// NewRegistry indexes ds under their class name, simple class name (the
// part after the last dot) and aliases; a later descriptor wins a name.
func NewRegistry(ds ...Descriptor) *Registry {
	r := &Registry{index: map[string]*Descriptor{}, sorted: append([]Descriptor(nil), ds...)}
	sort.SliceStable(r.sorted, func(i, j int) bool { return r.sorted[i].Class < r.sorted[j].Class })
	for i := range r.sorted {
		d := &r.sorted[i]
		simple := d.Class[strings.LastIndex(d.Class, ".")+1:]
		for _, n := range append([]string{d.Class, simple}, d.Aliases...) {
			r.index[n] = d
		}
	}
	return r
}

var builtin = NewRegistry(builtins()...)

// Builtin returns the registry of ferry's own transformations and predicates.
func Builtin() *Registry { return builtin }

// With returns a registry of r's descriptors and ds.
func (r *Registry) With(ds ...Descriptor) *Registry {
	return NewRegistry(append(r.or().Plugins(), ds...)...)
}

func (r *Registry) or() *Registry {
	if r == nil {
		return builtin
	}
	return r
}

// Lookup finds a transformation or predicate by class name or alias.
func (r *Registry) Lookup(name string) (*Descriptor, bool) {
	d, ok := r.or().index[strings.TrimSpace(name)]
	return d, ok
}

// Plugins returns every descriptor, sorted by class.
func (r *Registry) Plugins() []Descriptor { return append([]Descriptor(nil), r.or().sorted...) }

// Classes returns the class names of one plugin type, sorted.
func (r *Registry) Classes(t connectors.PluginType) []string {
	var out []string
	for _, d := range r.or().sorted {
		if d.Type == t {
			out = append(out, d.Class)
		}
	}
	return out
}

// Lookup finds a built-in transformation or predicate by class name or alias.
func Lookup(name string) (*Descriptor, bool) { return builtin.Lookup(name) }

// Plugins returns every built-in descriptor, sorted by class.
func Plugins() []Descriptor { return builtin.Plugins() }

// Classes returns the built-in class names of one plugin type, sorted.
func Classes(t connectors.PluginType) []string { return builtin.Classes(t) }
