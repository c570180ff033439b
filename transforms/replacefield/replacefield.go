// Package replacefield is Kafka Connect's ReplaceField$Key and
// ReplaceField$Value: it drops, keeps and renames top-level fields.
//
// Unlike Kafka 4.x, which silently ignores them, the 3.x names `blacklist`
// (= exclude) and `whitelist` (= include) are still honoured; the new name
// wins when both are set.
package replacefield

import (
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is ReplaceField's configuration, key names as Kafka Connect's.
type Config struct {
	Exclude     connectors.Optional[[]string] `config:"exclude" default:"" doc:"Fields to exclude. This takes precedence over the fields to include."`
	Include     connectors.Optional[[]string] `config:"include" default:"" doc:"Fields to include. If specified, only these fields will be used."`
	Renames     []string                      `config:"renames" default:"" doc:"Field rename mappings."`
	Blacklist   []string                      `config:"blacklist" doc:"Deprecated (Kafka 3.x): use exclude. ferry still honours it when exclude is not set."`
	Whitelist   []string                      `config:"whitelist" doc:"Deprecated (Kafka 3.x): use include. ferry still honours it when include is not set."`
	ReplaceNull bool                          `config:"replace.null.with.default" default:"true" doc:"Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."`
}

const purpose = "field replacement"

// Transform is one configured ReplaceField.
type Transform struct {
	side             operand.Side
	exclude, include map[string]bool
	renames, reverse map[string]string
	replaceNull      bool
	cache            operand.Cache[*plan]
}

// plan is the output schema for one input schema and, per output field, the
// input field index Kafka reads it from (by reverse rename), -1 when that
// name is no field of the input (a DataException for every record).
type plan struct {
	schema  *connectors.Schema
	from    []int
	missing []string
	// inPlace: from is strictly increasing (no field missing), so a Struct
	// the chain owns can be compacted into the output in place.
	inPlace bool
}

// NewKey configures ReplaceField$Key.
func NewKey(props map[string]string) (*Transform, error) { return newTransform(props, operand.Key) }

// NewValue configures ReplaceField$Value.
func NewValue(props map[string]string) (*Transform, error) {
	return newTransform(props, operand.Value)
}

func newTransform(props map[string]string, side operand.Side) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	exclude, include := c.Exclude.Value, c.Include.Value
	if !c.Exclude.Set && c.Blacklist != nil {
		exclude = c.Blacklist
	}
	if !c.Include.Set && c.Whitelist != nil {
		include = c.Whitelist
	}
	t := &Transform{side: side, exclude: set(exclude), include: set(include),
		renames: map[string]string{}, reverse: map[string]string{}, replaceNull: c.ReplaceNull}
	for _, m := range c.Renames {
		parts := javaSplit(m, ":")
		if len(parts) != 2 {
			return nil, &connectors.ConfigError{Key: "renames", Value: "[" + strings.Join(c.Renames, ", ") + "]",
				Reason: fmt.Sprintf("Invalid rename mapping: %s", m)}
		}
		t.renames[parts[0]] = parts[1]
		t.reverse[parts[1]] = parts[0]
	}
	return t, nil
}

// javaSplit is String.split: trailing empty strings are removed.
func javaSplit(s, sep string) []string {
	parts := strings.Split(s, sep)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

func set(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

func (t *Transform) keep(name string) bool {
	return !t.exclude[name] && (len(t.include) == 0 || t.include[name])
}

func (t *Transform) renamed(name string) string {
	if n, ok := t.renames[name]; ok {
		return n
	}
	return name
}

// Apply drops and renames fields; a null operand passes unchanged.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	v := t.side.Value(r)
	if v == nil {
		return r, nil
	}
	if t.side.Schema(r) == nil {
		m, err := operand.RequireMap(v, purpose)
		if err != nil {
			return nil, err
		}
		return t.side.Set(r, owned, nil, t.schemaless(m)), nil
	}
	in, err := operand.RequireStruct(v, purpose)
	if err != nil {
		return nil, err
	}
	p, err := t.cache.GetOrBuild(in.Schema(), t.plan)
	if err != nil {
		return nil, err
	}
	out := connectors.NewStruct(p.schema)
	if err := t.fill(in, out, p); err != nil {
		return nil, err
	}
	return t.side.Set(r, owned, p.schema, out), nil
}

func (t *Transform) plan(in *connectors.Schema) (*plan, error) {
	b := operand.CopyBasics(in, connectors.StructBuilder())
	p := &plan{}
	for _, f := range in.Fields {
		if t.keep(f.Name) {
			b.Field(t.renamed(f.Name), f.Schema)
		}
	}
	s, err := operand.Build(b)
	if err != nil {
		return nil, err
	}
	p.schema = s
	for _, f := range s.Fields {
		src := f.Name
		if n, ok := t.reverse[src]; ok {
			src = n
		}
		idx := -1
		if g := in.Field(src); g != nil {
			idx = g.Index
		}
		p.from, p.missing = append(p.from, idx), append(p.missing, src)
	}
	p.inPlace = increasing(p.from)
	return p, nil
}

// increasing reports whether every index is >= 0 and above the one before.
func increasing(from []int) bool {
	prev := -1
	for _, f := range from {
		if f <= prev {
			return false
		}
		prev = f
	}
	return true
}

// schemaless copies the kept entries under their new names. When a rename
// lands on a key that is also kept under its own name, the unrenamed entry
// wins (Java's outcome depends on HashMap iteration order).
func (t *Transform) schemaless(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, x := range m {
		if n, renamed := t.renames[k]; renamed && t.keep(k) {
			out[n] = x
		}
	}
	for k, x := range m {
		if _, renamed := t.renames[k]; !renamed && t.keep(k) {
			out[k] = x
		}
	}
	return out
}

// Apply runs the transformation on r, which it does not change.
func (t *Transform) Apply(r *connectors.Record) (*connectors.Record, error) { return t.apply(r, false) }

// ApplyInPlace runs the transformation on a record only the chain references,
// changing the record, and its top-level map (when no field is renamed) or
// Struct when the chain owns it, instead of copying them.
func (t *Transform) ApplyInPlace(r *connectors.Record, own operand.Owned) (*connectors.Record, error) {
	if st, ok := t.side.Value(r).(*connectors.Struct); ok && t.side.Owns(own) && t.side.Schema(r) != nil {
		p, err := t.cache.GetOrBuild(st.Schema(), t.plan)
		if err != nil {
			return nil, err
		}
		if p.inPlace {
			return t.compact(r, st, p)
		}
	}
	if m, ok := t.side.Value(r).(map[string]any); ok && len(t.renames) == 0 && t.side.Owns(own) && t.side.Schema(r) == nil {
		for k := range m {
			if !t.keep(k) {
				delete(m, k)
			}
		}
		return r, nil
	}
	return t.apply(r, own.Record)
}

// compact turns st, a Struct the chain owns, into the plan's output in
// place (the plan is inPlace); the Struct takes the output schema last.
func (t *Transform) compact(r *connectors.Record, st *connectors.Struct, p *plan) (*connectors.Record, error) {
	if err := t.fill(st, st, p); err != nil {
		return nil, err
	}
	st.Reshape(p.schema)
	return t.side.Set(r, true, p.schema, st), nil
}

// fill writes output field i from input field from[i] of in (read with in's
// schema defaults) into out. out may be in when from is increasing: field i
// then reads from[i] >= i, which no earlier write touched, and a value that
// stays where it is is not written again.
func (t *Transform) fill(in, out *connectors.Struct, p *plan) error {
	for i, from := range p.from {
		if from < 0 {
			return operand.Data("%s is not a valid field name", p.missing[i])
		}
		if out == in && from == i && in.At(i) != nil {
			continue // stays: no default, no required-field check
		}
		x := operand.FieldValue(in, from, t.replaceNull)
		if err := operand.Required(&p.schema.Fields[i], x); err != nil {
			return err
		}
		out.Set(i, x)
	}
	return nil
}

// BuildsNew marks that a changed key or value is a new top-level map or Struct.
func (t *Transform) BuildsNew() {}
