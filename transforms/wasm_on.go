//go:build !ferry_nowasm

package transforms

import "github.com/ferryhq/ferry/transforms/wasm"

// wasmBuiltins are the WebAssembly transformation and predicate. Builds with
// the ferry_nowasm tag leave them out (wasm_off.go): wazero, its compiler
// and interpreter are a tenth of a Lambda function's binary.
func wasmBuiltins() []Descriptor {
	return []Descriptor{
		passes(tf(wasm.TransformClass, wasm.Config{}, wasm.New), wasm.ModuleConfigPrefix),
		passes(pr(wasm.PredicateClass, wasm.Config{}, wasm.NewPredicate), wasm.ModuleConfigPrefix),
	}
}
