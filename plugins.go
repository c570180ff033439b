package main

import (
	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions/lambdarun"
)

// plugins is every class this binary serves: ferry's built-in connectors,
// transformations and predicates. `ferry build` compiles this package with
// a generated plugins.go in place of this file, adding the plugins of the
// modules it names (functions/build).
func plugins() lambdarun.Plugins {
	return lambdarun.Plugins{Connectors: builtin.Registry()}
}
