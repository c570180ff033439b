//go:build ferry_nowasm

package transforms

// wasmBuiltins is empty in builds with the ferry_nowasm tag: a config naming
// io.ferry.transforms.Wasm fails as an unknown transformation class.
func wasmBuiltins() []Descriptor { return nil }
