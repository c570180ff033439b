package transforms

import (
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
	"github.com/ferryhq/ferry/transforms/wasm"
)

const (
	smt  = "org.apache.kafka.connect.transforms."
	pred = "org.apache.kafka.connect.transforms.predicates."
)

// builtins is the one explicit list of every transformation and predicate.
func builtins() []Descriptor {
	return []Descriptor{
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
		passes(tf(wasm.TransformClass, wasm.Config{}, wasm.New), wasm.ModuleConfigPrefix),
		passes(pr(wasm.PredicateClass, wasm.Config{}, wasm.NewPredicate), wasm.ModuleConfigPrefix),
		pr(pred+"HasHeaderKey", hasheaderkey.Config{}, hasheaderkey.New),
		pr(pred+"RecordIsTombstone", recordistombstone.Config{}, recordistombstone.New),
		pr(pred+"TopicNameMatches", topicnamematches.Config{}, topicnamematches.New),
	}
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
