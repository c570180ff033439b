// Package transforms holds Kafka Connect's Single Message Transforms and
// predicates, one sub-package each, listed in one explicit registry
// (registry.go), and the chain built from a connector's `transforms=` and
// `predicates=` keys. Converters live in transforms/convert.
package transforms

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
	"github.com/ferryhq/ferry/transforms/sdk"
)

// The contracts of transformations and predicates live in transforms/sdk,
// the package a module outside ferry imports; ferry's own use these names.
type (
	// Transformation changes one record (sdk.Transformation).
	Transformation = sdk.Transformation
	// InPlace changes a record only the chain holds (sdk.InPlace).
	InPlace = sdk.InPlace
	// Builder marks transformations that build new keys and values (sdk.Builder).
	Builder = sdk.Builder
	// Predicate decides whether a transformation applies (sdk.Predicate).
	Predicate = sdk.Predicate
	// Descriptor describes one transformation or predicate class (sdk.Descriptor).
	Descriptor = sdk.Descriptor
	// Bundle is what a module outside ferry contributes (sdk.Bundle).
	Bundle = sdk.Bundle
)

// FalliblePredicate is implemented by predicates that can fail on a record
// (a WebAssembly module that traps): the chain calls TestRecord, and a
// failure fails the record as a transformation's would, instead of counting
// as a match or a miss.
type FalliblePredicate interface {
	TestRecord(r *connectors.Record) (bool, error)
}

// ErrUnknownTransform is wrapped when a `type` names no known transformation or predicate.
var ErrUnknownTransform = errors.New("unknown transformation")

// Stage is one transformation of the chain with its optional predicate.
type Stage struct {
	Alias     string
	Class     string
	Transform Transformation
	Predicate Predicate
	Negate    bool
}

// Chain applies a connector's transformations in order, as Kafka Connect's
// TransformationChain: a stage runs iff it has no predicate or
// negate XOR predicate matches; a nil record ends the chain.
type Chain struct {
	Stages []Stage
}

// ErrPanic is wrapped when a transformation or predicate panicked on a
// record: the record fails like any other (errors.tolerance applies) instead
// of taking the process down.
var ErrPanic = errors.New("transformation panicked")

// Apply runs the chain; it returns the stage's alias and class with a failure.
//
// The caller's record is never changed: a stage gets a copy-on-write view of
// it, and only records created by earlier stages are changed in place.
func (c *Chain) Apply(r *connectors.Record) (*connectors.Record, *Stage, error) {
	var own operand.Owned
	for i := range c.Stages {
		s := &c.Stages[i]
		key, value := r.Key, r.Value
		out, err := s.apply(r, own)
		if err != nil {
			return nil, s, err
		}
		if out == nil {
			return nil, nil, nil
		}
		if out != r || !operand.SameContainer(key, out.Key) || !operand.SameContainer(value, out.Value) {
			_, builds := s.Transform.(Builder)
			own.Record = true
			own.Key = owns(own.Key, builds, key, out.Key)
			own.Value = owns(own.Value, builds, value, out.Value)
		}
		r = out
	}
	return r, nil, nil
}

// owns is the ownership of a key or value after a stage turned in into out.
func owns(before, builds bool, in, out any) bool {
	if operand.SameContainer(in, out) {
		return before
	}
	return builds && operand.IsContainer(out)
}

// apply runs one stage (predicate included), turning a panic into an error.
func (s *Stage) apply(r *connectors.Record, own operand.Owned) (out *connectors.Record, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("%w: %s: %v", ErrPanic, s.Class, p)
		}
	}()
	if s.Predicate != nil {
		match, err := s.test(r)
		if err != nil {
			return nil, err
		}
		if match == s.Negate {
			return r, nil
		}
	}
	if ip, ok := s.Transform.(InPlace); ok && own.Record {
		return ip.ApplyInPlace(r, own)
	}
	return s.Transform.Apply(r)
}

// test runs the stage's predicate.
func (s *Stage) test(r *connectors.Record) (bool, error) {
	if fp, ok := s.Predicate.(FalliblePredicate); ok {
		return fp.TestRecord(r)
	}
	return s.Predicate.Test(r), nil
}

// Len is the number of stages.
func (c *Chain) Len() int { return len(c.Stages) }

// negateKey is the implicit transforms.<alias>.negate key.
var negateKey = connectors.ConfigKey{Name: "negate", Type: connectors.ConfigBoolean, Default: "false", HasDefault: true,
	Importance: "MEDIUM", Doc: "Whether the configured predicate should be negated."}

// ImplicitKeys are the keys every transformation (TypeTransformation) or
// predicate alias has beside its class's own: type, and for a
// transformation predicate and negate. Names are relative to the alias prefix.
func ImplicitKeys(t connectors.PluginType, alias string) []connectors.ConfigKey {
	kind := "transformation"
	if t == connectors.TypePredicate {
		kind = "predicate"
	}
	keys := []connectors.ConfigKey{{Name: "type", Type: connectors.ConfigClass, Required: true, Importance: "HIGH",
		Doc: "Class for the '" + alias + "' " + kind + "."}}
	if t == connectors.TypeTransformation {
		keys = append(keys, connectors.ConfigKey{Name: "predicate", Type: connectors.ConfigString, Importance: "MEDIUM",
			Doc: "The alias of a predicate used to determine whether to apply this transformation."}, negateKey)
	}
	return keys
}

// NewChain builds the chain of a connector config: `transforms=a,b`,
// `transforms.a.type`, `transforms.a.<key>`, `transforms.a.predicate`,
// `transforms.a.negate`, `predicates=p`, `predicates.p.type`, ... Every
// problem is reported as connectors.ConfigErrors naming the full key.
func NewChain(props map[string]string) (*Chain, error) { return builtin().NewChain(props) }

// NewChain is the package's NewChain with the classes of r.
func (r *Registry) NewChain(props map[string]string) (*Chain, error) {
	preds, errs := r.buildPredicates(props)
	c := &Chain{}
	aliases := connectors.SplitList(props["transforms"])
	if dup := duplicate(aliases); dup != "" {
		errs = append(errs, &connectors.ConfigError{Key: "transforms", Value: props["transforms"], Reason: "Duplicate alias provided."})
	}
	for _, alias := range aliases {
		st, err := r.buildStage(props, alias, preds)
		if err != nil {
			errs = append(errs, err...)
			continue
		}
		c.Stages = append(c.Stages, st)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

func (r *Registry) buildStage(props map[string]string, alias string, preds map[string]Predicate) (Stage, connectors.ConfigErrors) {
	prefix := "transforms." + alias + "."
	class := props[prefix+"type"]
	st := Stage{Alias: alias, Class: class}
	if class == "" {
		return st, connectors.ConfigErrors{{Key: prefix + "type", Missing: true}}
	}
	d, ok := r.Lookup(class)
	if !ok || d.NewTransform == nil {
		return st, connectors.ConfigErrors{{Key: prefix + "type", Value: class,
			Err:    ErrUnknownTransform,
			Reason: fmt.Sprintf("Class %s could not be found. Known transformations: %s", class, strings.Join(r.Classes(connectors.TypeTransformation), ", "))}}
	}
	t, err := d.NewTransform(Sub(props, prefix))
	if err != nil {
		return st, prefixed(err, prefix)
	}
	st.Transform, st.Class = t, d.Class
	if name, ok := props[prefix+"predicate"]; ok && name != "" {
		p, found := preds[name]
		if !found {
			return st, connectors.ConfigErrors{{Key: prefix + "predicate", Value: name, Reason: "Predicate is not defined: " + name}}
		}
		st.Predicate = p
		if raw, ok := props[prefix+"negate"]; ok {
			if err := negateKey.Check(raw); err != nil {
				return st, prefixed(err, prefix)
			}
			st.Negate = strings.EqualFold(strings.TrimSpace(raw), "true")
		}
	} else if _, ok := props[prefix+"negate"]; ok {
		return st, connectors.ConfigErrors{{Key: prefix + "negate", Value: props[prefix+"negate"],
			Reason: fmt.Sprintf("Config '%snegate' was provided but there is no config '%spredicate' defining a predicate to be negated.", prefix, prefix)}}
	}
	return st, nil
}

func (r *Registry) buildPredicates(props map[string]string) (map[string]Predicate, connectors.ConfigErrors) {
	out := map[string]Predicate{}
	var errs connectors.ConfigErrors
	aliases := connectors.SplitList(props["predicates"])
	if duplicate(aliases) != "" {
		errs = append(errs, &connectors.ConfigError{Key: "predicates", Value: props["predicates"], Reason: "Duplicate alias provided."})
	}
	for _, alias := range aliases {
		prefix := "predicates." + alias + "."
		class := props[prefix+"type"]
		d, ok := r.Lookup(class)
		if class == "" {
			errs = append(errs, &connectors.ConfigError{Key: prefix + "type", Missing: true})
			continue
		}
		if !ok || d.NewPredicate == nil {
			errs = append(errs, &connectors.ConfigError{Key: prefix + "type", Value: class,
				Err:    ErrUnknownTransform,
				Reason: fmt.Sprintf("Class %s could not be found. Known predicates: %s", class, strings.Join(r.Classes(connectors.TypePredicate), ", "))})
			continue
		}
		p, err := d.NewPredicate(Sub(props, prefix))
		if err != nil {
			errs = append(errs, prefixed(err, prefix)...)
			continue
		}
		out[alias] = p
	}
	return out, errs
}

// Sub returns the keys of props under prefix, with the prefix removed.
func Sub(props map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range props {
		if strings.HasPrefix(k, prefix) {
			out[k[len(prefix):]] = v
		}
	}
	return out
}

// prefixed turns a component's config errors into errors naming the full key.
func prefixed(err error, prefix string) connectors.ConfigErrors {
	var ces connectors.ConfigErrors
	if errors.As(err, &ces) {
		out := make(connectors.ConfigErrors, len(ces))
		for i, e := range ces {
			c := *e
			c.Key = prefix + c.Key
			out[i] = &c
		}
		return out
	}
	var ce *connectors.ConfigError
	if errors.As(err, &ce) {
		c := *ce
		c.Key = prefix + c.Key
		return connectors.ConfigErrors{&c}
	}
	return connectors.ConfigErrors{{Key: prefix + "type", Value: "", Reason: err.Error()}}
}

func duplicate(list []string) string {
	seen := map[string]bool{}
	for _, s := range list {
		if seen[s] {
			return s
		}
		seen[s] = true
	}
	return ""
}
