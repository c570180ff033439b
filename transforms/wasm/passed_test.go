package wasm_test

import (
	"slices"
	"testing"

	"github.com/ferryhq/ferry/transforms/catalogue"
	"github.com/ferryhq/ferry/transforms/wasm"
)

// TestModuleKeysAreNotUnknown: the catalogue tells validation that a
// WebAssembly transformation's and predicate's config.* keys go to the
// module, so /config/validate does not warn of them as unknown.
func TestModuleKeysAreNotUnknown(t *testing.T) {
	parts, _ := catalogue.New(nil, "test").Parts(map[string]string{
		"transforms": "m", "transforms.m.type": wasm.TransformClass, "transforms.m.module": "gone.wasm",
		"predicates": "p", "predicates.p.type": wasm.PredicateClass, "predicates.p.module": "gone.wasm",
	})
	seen := 0
	for _, p := range parts {
		if p.Prefix == "transforms.m." || p.Prefix == "predicates.p." {
			seen++
			if !slices.Equal(p.Passed, []string{wasm.ModuleConfigPrefix}) {
				t.Errorf("%s passes %v", p.Prefix, p.Passed)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("parts %+v", parts)
	}
}
