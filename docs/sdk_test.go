package docs_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fileBlock is a fenced block that is part of a named file: ```go file=NAME.
var fileBlock = regexp.MustCompile("(?ms)^```(\\w+) file=(\\S+)\n(.*?)^```\n")

// pageFiles returns the files a page's blocks of language lang make up:
// each file's blocks in order, joined by a blank line.
func pageFiles(t *testing.T, page, lang string) map[string]string {
	t.Helper()
	text, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string][]string{}
	for _, m := range fileBlock.FindAllStringSubmatch(string(text), -1) {
		if m[1] == lang {
			blocks[m[2]] = append(blocks[m[2]], strings.Trim(m[3], "\n"))
		}
	}
	files := map[string]string{}
	for name, bs := range blocks {
		files[name] = strings.Join(bs, "\n\n") + "\n"
	}
	return files
}

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
			files := pageFiles(t, page, "go")
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
				if files[filepath.Base(src)] != string(want) {
					t.Errorf("%s: the blocks marked file=%s are not %s; regenerate them from the file", page, filepath.Base(src), src)
				}
			}
		})
	}
}
