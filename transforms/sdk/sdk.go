// Package sdk holds the contracts a transformation or predicate implements
// and what a Go module outside ferry exports for `ferry build`: its plugins
// in one Bundle. It imports only connectors and transforms/operand, so a
// third-party module depends on nothing else of ferry. Package transforms
// re-exports these names; ferry's own components use them from there. Part
// of the stable SDK (docs/sdk.md).
package sdk

import (
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Transformation changes one record; it returns nil to drop the record.
// A failure is returned as an error and handled per errors.tolerance. Apply
// must not change r or its values: return a changed copy (r.Clone()).
type Transformation interface {
	Apply(r *connectors.Record) (*connectors.Record, error)
}

// InPlace is implemented by transformations that can change, instead of
// copy, a record that only the chain references (one an earlier stage
// created). They never change the record's values (Structs, maps), which may
// still be shared with the caller's record.
type InPlace interface {
	ApplyInPlace(r *connectors.Record, own operand.Owned) (*connectors.Record, error)
}

// Builder is implemented by transformations whose changed key or value is
// always a new top-level map or Struct, never a part of the old one: the
// chain then owns it, and later stages may change it in place.
type Builder interface {
	BuildsNew()
}

// Predicate decides whether a transformation applies to a record.
type Predicate interface {
	Test(r *connectors.Record) bool
}

// Descriptor describes one transformation or predicate class: the entry a
// registry holds, built-in or from a module's Bundle.
type Descriptor struct {
	// Class is the full Kafka Connect class name (with $Key/$Value for variants).
	Class string
	// Aliases are extra accepted names; the simple class name is always accepted.
	Aliases []string
	Type    connectors.PluginType
	// Version is what GET /connector-plugins shows; empty shows the binary's
	// (or, built in by ferry build, the module's).
	Version string
	// Config is a zero value of the component's config struct (connectors.Declare).
	Config any
	// Passed are prefixes of keys the component takes undeclared and hands
	// on (a WebAssembly module's "config."): validation does not warn of them.
	Passed       []string
	NewTransform func(props map[string]string) (Transformation, error)
	NewPredicate func(props map[string]string) (Predicate, error)
}

// Describe describes a transformation from its class name, config struct (a
// zero value, see connectors.Declare) and constructor, which gets the keys
// under transforms.<alias>. with the prefix removed.
func Describe[T Transformation](class string, cfg any, build func(map[string]string) (T, error)) Descriptor {
	return Descriptor{Class: class, Type: connectors.TypeTransformation, Config: cfg,
		NewTransform: func(props map[string]string) (Transformation, error) {
			t, err := build(props)
			if err != nil {
				return nil, err
			}
			return t, nil
		}}
}

// DescribePredicate describes a predicate from its class name, config
// struct and constructor, which gets the keys under predicates.<alias>.
func DescribePredicate[P Predicate](class string, cfg any, build func(map[string]string) (P, error)) Descriptor {
	return Descriptor{Class: class, Type: connectors.TypePredicate, Config: cfg,
		NewPredicate: func(props map[string]string) (Predicate, error) {
			p, err := build(props)
			if err != nil {
				return nil, err
			}
			return p, nil
		}}
}

// Bundle is what a Go module outside ferry contributes to a custom build:
// its connectors, transformations and predicates. The module exports, from
// the package `ferry build --with` names (the module's root), a function
//
//	func Plugins() sdk.Bundle
//
// and the generated main adds what it returns to the explicit registries;
// nothing registers itself at init time. A Bundle with nothing in it fails
// the build.
type Bundle struct {
	Connectors []connectors.Plugin
	// Transforms holds transformations and predicates (Describe, DescribePredicate).
	Transforms []Descriptor
}

// Len is the number of plugins in b.
func (b Bundle) Len() int { return len(b.Connectors) + len(b.Transforms) }
