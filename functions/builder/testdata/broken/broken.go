// Package broken does not compile: ferry build names it.
package broken

import "github.com/ferryhq/ferry/transforms"

// Plugins returns an undefined value.
func Plugins() transforms.Bundle { return undefinedBundle }
