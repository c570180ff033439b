package docs_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fileBlock is a fenced Go block that is part of a named file: ```go file=NAME.
var fileBlock = regexp.MustCompile("(?ms)^```go file=(\\S+)\n(.*?)^```\n")

// TestWritingPagesAreTheModules keeps writing-connector.md and
// writing-transform.md followable: their blocks, in order, are the whole of
// the example modules' files, which TestBuildCustomFerry builds into ferry
// and runs, and which pass their own go test (the conformance suite).
func TestWritingPagesAreTheModules(t *testing.T) {
	for page, module := range map[string]string{
		"writing-connector.md": "../functions/builder/testdata/greeting",
		"writing-transform.md": "../functions/builder/testdata/upper",
	} {
		t.Run(page, func(t *testing.T) {
			text, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]string{}
			for _, m := range fileBlock.FindAllStringSubmatch(string(text), -1) {
				files[m[1]] = append(files[m[1]], strings.Trim(m[2], "\n"))
			}
			sources, err := filepath.Glob(filepath.Join(module, "*.go"))
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != len(sources) {
				t.Errorf("%s shows %d files, %s has %d Go files", page, len(files), module, len(sources))
			}
			for _, src := range sources {
				want, err := os.ReadFile(src)
				if err != nil {
					t.Fatal(err)
				}
				got := strings.Join(files[filepath.Base(src)], "\n\n")
				if got != strings.Trim(string(want), "\n") {
					t.Errorf("%s: the blocks marked file=%s are not %s; regenerate them from the file", page, filepath.Base(src), src)
				}
			}
		})
	}
}
