// Command gen writes the main package of a Lambda function holding only some
// of the built-in connectors (`make lambda CONNECTORS=datagen,s3sink`). It
// selects from the one list, connectors/builtin's Plugins(), by reading its
// source: a connector is named by its package (file gives the file source and
// sink), and nothing but the selected connector packages is imported.
//
//	go run ./functions/lambda/gen -connectors datagen,s3sink -o dist/_lambda/main.go
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferryhq/ferry/functions/builder"
)

func main() {
	list := flag.String("connectors", "", "comma-separated connector packages of connectors/builtin (datagen,s3sink,...)")
	src := flag.String("builtin", "connectors/builtin/builtin.go", "the source of the connector list")
	out := flag.String("o", "", "the main.go to write")
	flag.Parse()
	if err := run(*src, *out, strings.Split(*list, ",")); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

func run(src, out string, names []string) error {
	if out == "" {
		return fmt.Errorf("-o is empty: name the main.go to write")
	}
	raw, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("reading the connector list: %w", err)
	}
	entries, err := builder.Entries(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	code, err := Generate(entries, names)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, code, 0o644)
}
