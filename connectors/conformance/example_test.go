package conformance_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ferryhq/ferry/connectors/conformance"
	"github.com/ferryhq/ferry/connectors/file"
)

// A connector's own test gives the suite its plugin and a fixture; Run
// (called with the test's *testing.T) runs every check as a subtest. This
// is FileStreamSink's fixture.
func ExampleFixture() {
	out := filepath.Join(os.TempDir(), "conformance-example.txt")
	f := conformance.Fixture{
		Plugin:  file.Sink(),
		Config:  map[string]string{"file": out, "topics": "lines"},
		Records: 20,
		Written: func() ([]string, error) { return nil, nil }, // nil skips the read-back
	}
	_ = f // in a test: conformance.Run(t, f)
	for _, c := range conformance.Checks(f.Plugin.Type) {
		fmt.Println(c.Name)
	}
	// Output:
	// ConfigDeclaration
	// Validation
	// TaskSplit
	// SinkPutFlush
	// SinkRestart
	// SinkTombstones
	// SinkRetriable
	// SinkClose
}
