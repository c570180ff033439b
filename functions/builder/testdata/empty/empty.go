// Package empty exports Plugins but registers nothing: ferry build refuses it.
package empty

import "github.com/ferryhq/ferry/transforms"

// Plugins returns an empty bundle.
func Plugins() transforms.Bundle { return transforms.Bundle{} }
