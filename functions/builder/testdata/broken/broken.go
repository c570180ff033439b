// Package broken does not compile: ferry build names it.
package broken

import "github.com/ferryhq/ferry/transforms/sdk"

// Plugins returns an undefined value.
func Plugins() sdk.Bundle { return undefinedBundle }
