package docs_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestWasmPageShowsTheExample keeps writing-transform.md's WebAssembly part
// followable: its Go block is the whole of the example module that
// TestExamplesApplyOffline builds and runs.
func TestWasmPageShowsTheExample(t *testing.T) {
	page, err := os.ReadFile("writing-transform.md")
	if err != nil {
		t.Fatal(err)
	}
	const src = "../transforms/wasm/examples/go/mask/main.go"
	want, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?ms)^```go\n(.*?)^```\n").FindAllStringSubmatch(string(page), -1)
	for _, b := range blocks {
		if strings.Contains(b[1], "// Command mask is an example ferry WebAssembly transformation") {
			if strings.TrimSpace(b[1]) != strings.TrimSpace(string(want)) {
				t.Errorf("writing-transform.md's Go mask block is not %s: copy the file into it", src)
			}
			return
		}
	}
	t.Errorf("writing-transform.md does not show %s", src)
}
