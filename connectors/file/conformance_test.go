package file_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors/conformance"
	"github.com/ferryhq/ferry/connectors/file"
)

// TestConformance runs the SDK's acceptance suite on FileStreamSource and
// FileStreamSink.
func TestConformance(t *testing.T) {
	t.Run("source", func(t *testing.T) {
		in := filepath.Join(t.TempDir(), "in.txt")
		var lines strings.Builder
		for i := range 20 {
			fmt.Fprintf(&lines, "line %d\n", i)
		}
		if err := os.WriteFile(in, []byte(lines.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		conformance.Run(t, conformance.Fixture{
			Plugin:  file.Source(),
			Config:  map[string]string{"file": in, "topic": "lines", "batch.size": "3"},
			Records: 20,
			Invalid: []conformance.Invalid{{Config: map[string]string{"file": in, "topic": "lines", "batch.size": "0"}, Key: "batch.size"}},
		})
	})
	t.Run("sink", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out.txt")
		conformance.Run(t, conformance.Fixture{
			Plugin: file.Sink(),
			Config: map[string]string{"file": out, "topics": "lines"},
		})
	})
}
