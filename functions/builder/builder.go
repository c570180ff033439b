// Package builder is `ferry build`: it generates a Go module whose main
// package is ferry with more plugins — the connectors, transformations and
// predicates of the modules named with --with, each exposing
//
//	func Plugins() sdk.Bundle
//
// from its root package — and fewer built-in ones (--connectors,
// --transforms), then builds it with the Go toolchain: the full ferry
// command, or with Lambda set the function alone, zipped as `make lambda`
// zips it. It is ferry's answer to Kafka Connect's plugin.path, the way
// xcaddy builds Caddy. See docs/building.md.
package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Module is a Go module to build with: Path@Version, or Path=Dir for a
// local checkout (a replace directive).
type Module struct {
	Path, Version, Dir string
}

// ParseModule parses MODULE[@VERSION][=DIR], the --with syntax.
func ParseModule(s string) (Module, error) {
	var m Module
	spec, dir, hasDir := strings.Cut(strings.TrimSpace(s), "=")
	m.Path, m.Version, _ = strings.Cut(spec, "@")
	if m.Path == "" || strings.ContainsAny(m.Path, " \t") {
		return m, fmt.Errorf("--with %q: want MODULE[@VERSION][=DIR], e.g. github.com/acme/ferry-foo@v1.2.0", s)
	}
	if hasDir {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return m, fmt.Errorf("--with %q: %w", s, err)
		}
		m.Dir = abs
	}
	if m.Version == "" && m.Dir == "" {
		return m, fmt.Errorf("--with %q: name a version (@v1.2.0, @latest) or a local directory (=../dir)", s)
	}
	return m, nil
}

// requiredVersion is the version go.mod requires: a replaced module
// without a version gets the zero pseudo-version.
func (m Module) requiredVersion() string {
	if m.Version == "" || (m.Dir != "" && !strings.HasPrefix(m.Version, "v")) {
		return "v0.0.0-00010101000000-000000000000"
	}
	return m.Version
}

// shownVersion is the version GET /connector-plugins shows for a plugin of
// m that names none.
func (m Module) shownVersion() string {
	if m.Version != "" {
		return m.Version
	}
	return "local"
}

// Options are ferry build's flags.
type Options struct {
	// With are the modules whose plugins are added.
	With []Module
	// Ferry is the ferry to build: Dir set for a checkout, else Version.
	Ferry Module
	// Connectors are the built-in connector packages kept (datagen, s3sink);
	// nil keeps all.
	Connectors []string
	// Transforms are the simple names of the built-in transformations and
	// predicates kept; nil keeps all, empty none.
	Transforms []string
	// Lambda builds the function alone (linux, GOARCH Arch, default
	// amd64) and writes a deflated zip holding bootstrap.
	Lambda bool
	Arch   string
	// Tags are extra build tags (ferry_noavro leaves the Avro converter out).
	Tags []string
	// Out is the binary, or with Lambda the zip, to write.
	Out string
	// Work is the directory the module is generated in; empty uses a
	// temporary one, removed at the end.
	Work string
	// Log receives the toolchain's progress; nil discards it.
	Log io.Writer
}

// ErrModule is wrapped by errors that name a --with module at fault.
var ErrModule = errors.New("module")

// Build generates the module and builds Out.
func Build(ctx context.Context, o Options) (err error) {
	if o.Out == "" {
		return errors.New("-o is empty: name the binary (or, with --lambda, the zip) to write")
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Work == "" {
		if o.Work, err = os.MkdirTemp("", "ferry-build-"); err != nil {
			return err
		}
		defer os.RemoveAll(o.Work)
	}
	g := &toolchain{dir: o.Work, log: o.Log}
	if err := g.prepare(ctx, o); err != nil {
		return err
	}
	if err := g.check(ctx, o); err != nil {
		return err
	}
	if o.Lambda {
		return g.buildLambda(ctx, o)
	}
	return g.buildFull(ctx, o)
}
