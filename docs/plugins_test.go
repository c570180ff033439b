package docs_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferryhq/ferry/transforms/catalogue"
)

var update = flag.Bool("update", false, "rewrite docs/plugins from the config declarations (make docs)")

// TestPluginPages fails when the committed config reference in docs/plugins
// differs from what the declarations generate; `make docs` rewrites it.
func TestPluginPages(t *testing.T) {
	pages := catalogue.New(nil, "").Pages()
	dir := "plugins"
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, text := range pages {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v: run make docs", err)
	}
	for _, e := range entries {
		if _, ok := pages[e.Name()]; !ok {
			t.Errorf("docs/plugins/%s is no plugin's page: run make docs", e.Name())
		}
	}
	for name, want := range pages {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("docs/plugins/%s differs from the declarations: run make docs", name)
		}
	}
}
