package examplesink_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferryhq/ferry/connectors/conformance"
	"github.com/ferryhq/ferry/connectors/examplesink"
)

// TestConformance runs the SDK's acceptance suite on the example sink, as a
// connector outside ferry runs it from its own module.
func TestConformance(t *testing.T) {
	dir := t.TempDir()
	conformance.Run(t, conformance.Fixture{
		Plugin: examplesink.Plugin(),
		Config: map[string]string{"topics": "orders", "directory": dir},
		Invalid: []conformance.Invalid{
			{Config: map[string]string{"topics": "orders", "directory": dir, "file.extension": "a/b"}, Key: "file.extension"},
		},
		Written: func() ([]string, error) { return readDir(dir) },
	})
}

// readDir returns the contents of every file in dir.
func readDir(dir string) ([]string, error) {
	files, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, string(data))
	}
	return out, nil
}
