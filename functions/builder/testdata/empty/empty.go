// Package empty exports Plugins but registers nothing: ferry build refuses it.
package empty

import "github.com/ferryhq/ferry/transforms/sdk"

// Plugins returns an empty bundle.
func Plugins() sdk.Bundle { return sdk.Bundle{} }
