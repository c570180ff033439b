package transforms

import (
	"sort"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// Descriptor describes one transformation or predicate class.
type Descriptor struct {
	// Class is the full Kafka Connect class name (with $Key/$Value for variants).
	Class string
	// Aliases are extra accepted names; the simple class name is always accepted.
	Aliases []string
	Type    connectors.PluginType
	// Config is a zero value of the component's config struct (connectors.Declare).
	Config       any
	NewTransform func(props map[string]string) (Transformation, error)
	NewPredicate func(props map[string]string) (Predicate, error)
}

// builtins is the one explicit list of every transformation and predicate.
// Each sub-package exports its descriptors; add them here.
func builtins() []Descriptor {
	return nil
}

var index = buildIndex(builtins())

func buildIndex(ds []Descriptor) map[string]*Descriptor {
	m := map[string]*Descriptor{}
	for i := range ds {
		d := &ds[i]
		simple := d.Class[strings.LastIndex(d.Class, ".")+1:]
		for _, n := range append([]string{d.Class, simple}, d.Aliases...) {
			m[n] = d
		}
	}
	return m
}

// Lookup finds a transformation or predicate by class name or alias.
func Lookup(name string) (*Descriptor, bool) {
	d, ok := index[strings.TrimSpace(name)]
	return d, ok
}

// Plugins returns every descriptor, sorted by class.
func Plugins() []Descriptor {
	ds := builtins()
	sort.Slice(ds, func(i, j int) bool { return ds[i].Class < ds[j].Class })
	return ds
}

// Classes returns the class names of one plugin type, sorted.
func Classes(t connectors.PluginType) []string {
	var out []string
	for _, d := range Plugins() {
		if d.Type == t {
			out = append(out, d.Class)
		}
	}
	return out
}
