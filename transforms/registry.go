package transforms

import (
	"sort"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/cast"
	"github.com/ferryhq/ferry/transforms/dropheaders"
	"github.com/ferryhq/ferry/transforms/extractfield"
	"github.com/ferryhq/ferry/transforms/extractnewrecordstate"
	"github.com/ferryhq/ferry/transforms/filter"
	"github.com/ferryhq/ferry/transforms/flatten"
	"github.com/ferryhq/ferry/transforms/hasheaderkey"
	"github.com/ferryhq/ferry/transforms/headerfrom"
	"github.com/ferryhq/ferry/transforms/hoistfield"
	"github.com/ferryhq/ferry/transforms/insertfield"
	"github.com/ferryhq/ferry/transforms/insertheader"
	"github.com/ferryhq/ferry/transforms/maskfield"
	"github.com/ferryhq/ferry/transforms/recordistombstone"
	"github.com/ferryhq/ferry/transforms/regexrouter"
	"github.com/ferryhq/ferry/transforms/replacefield"
	"github.com/ferryhq/ferry/transforms/sdk"
	"github.com/ferryhq/ferry/transforms/setschemametadata"
	"github.com/ferryhq/ferry/transforms/timestampconverter"
	"github.com/ferryhq/ferry/transforms/timestamprouter"
	"github.com/ferryhq/ferry/transforms/topicnamematches"
	"github.com/ferryhq/ferry/transforms/valuetokey"
)

const (
	smt  = "org.apache.kafka.connect.transforms."
	pred = "org.apache.kafka.connect.transforms.predicates."
)

// builtins is the one explicit list of every transformation and predicate.
// The WebAssembly ones come from wasmBuiltins, empty with the ferry_nowasm tag.
func builtins() []Descriptor {
	return append([]Descriptor{
		tf(smt+"Cast$Key", cast.Config{}, cast.NewKey),
		tf(smt+"Cast$Value", cast.Config{}, cast.NewValue),
		tf(smt+"DropHeaders", dropheaders.Config{}, dropheaders.New),
		tf(smt+"ExtractField$Key", extractfield.Config{}, extractfield.NewKey),
		tf(smt+"ExtractField$Value", extractfield.Config{}, extractfield.NewValue),
		tf(smt+"Filter", filter.Config{}, filter.New),
		tf(smt+"Flatten$Key", flatten.Config{}, flatten.NewKey),
		tf(smt+"Flatten$Value", flatten.Config{}, flatten.NewValue),
		tf(smt+"HeaderFrom$Key", headerfrom.Config{}, headerfrom.NewKey),
		tf(smt+"HeaderFrom$Value", headerfrom.Config{}, headerfrom.NewValue),
		tf(smt+"HoistField$Key", hoistfield.Config{}, hoistfield.NewKey),
		tf(smt+"HoistField$Value", hoistfield.Config{}, hoistfield.NewValue),
		tf(smt+"InsertField$Key", insertfield.Config{}, insertfield.NewKey),
		tf(smt+"InsertField$Value", insertfield.Config{}, insertfield.NewValue),
		tf(smt+"InsertHeader", insertheader.Config{}, insertheader.New),
		tf(smt+"MaskField$Key", maskfield.Config{}, maskfield.NewKey),
		tf(smt+"MaskField$Value", maskfield.Config{}, maskfield.NewValue),
		tf(smt+"RegexRouter", regexrouter.Config{}, regexrouter.New),
		tf(smt+"ReplaceField$Key", replacefield.Config{}, replacefield.NewKey),
		tf(smt+"ReplaceField$Value", replacefield.Config{}, replacefield.NewValue),
		tf(smt+"SetSchemaMetadata$Key", setschemametadata.Config{}, setschemametadata.NewKey),
		tf(smt+"SetSchemaMetadata$Value", setschemametadata.Config{}, setschemametadata.NewValue),
		tf(smt+"TimestampConverter$Key", timestampconverter.Config{}, timestampconverter.NewKey),
		tf(smt+"TimestampConverter$Value", timestampconverter.Config{}, timestampconverter.NewValue),
		tf(smt+"TimestampRouter", timestamprouter.Config{}, timestamprouter.New),
		tf(smt+"ValueToKey", valuetokey.Config{}, valuetokey.New),
		tf("io.debezium.transforms.ExtractNewRecordState", extractnewrecordstate.Config{}, extractnewrecordstate.New),
		pr(pred+"HasHeaderKey", hasheaderkey.Config{}, hasheaderkey.New),
		pr(pred+"RecordIsTombstone", recordistombstone.Config{}, recordistombstone.New),
		pr(pred+"TopicNameMatches", topicnamematches.Config{}, topicnamematches.New),
	}, wasmBuiltins()...)
}

// tf describes a built-in transformation (sdk.Describe).
func tf[T Transformation](class string, cfg any, build func(map[string]string) (T, error)) Descriptor {
	return sdk.Describe(class, cfg, build)
}

// passes marks the key prefixes d hands on undeclared.
func passes(d Descriptor, prefixes ...string) Descriptor {
	d.Passed = prefixes
	return d
}

// pr describes a built-in predicate (sdk.DescribePredicate).
func pr[P Predicate](class string, cfg any, build func(map[string]string) (P, error)) Descriptor {
	return sdk.DescribePredicate(class, cfg, build)
}

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

// builtin is built on first use, not at init.
var builtin = sync.OnceValue(func() *Registry { return NewRegistry(builtins()...) })

// Builtin returns the registry of ferry's own transformations and predicates.
func Builtin() *Registry { return builtin() }

// With returns a registry of r's descriptors and ds.
func (r *Registry) With(ds ...Descriptor) *Registry {
	return NewRegistry(append(r.or().Plugins(), ds...)...)
}

func (r *Registry) or() *Registry {
	if r == nil {
		return builtin()
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
func Lookup(name string) (*Descriptor, bool) { return builtin().Lookup(name) }

// Plugins returns every built-in descriptor, sorted by class.
func Plugins() []Descriptor { return builtin().Plugins() }

// Classes returns the built-in class names of one plugin type, sorted.
func Classes(t connectors.PluginType) []string { return builtin().Classes(t) }
