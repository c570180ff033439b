package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions/builder"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func builtinEntries(t *testing.T) []builder.Entry {
	t.Helper()
	src, err := os.ReadFile("../../../connectors/builtin/builtin.go")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := builder.Entries(src)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// TestEntriesMatchBuiltin checks that the list read from the source is the
// list connectors/builtin returns: one entry per plugin, each with its import path.
func TestEntriesMatchBuiltin(t *testing.T) {
	entries := builtinEntries(t)
	if got, want := len(entries), len(builtin.Plugins()); got != want {
		t.Fatalf("read %d entries from builtin.go, builtin.Plugins() has %d: %+v", got, want, entries)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Path, "github.com/ferryhq/ferry/connectors/") || !strings.HasSuffix(e.Path, "/"+e.Pkg) {
			t.Errorf("entry %+v: want the import path of connectors/%s", e, e.Pkg)
		}
	}
}

func TestGenerate(t *testing.T) {
	entries := builtinEntries(t)
	for _, tc := range []struct {
		name, connectors, golden, err string
	}{
		{name: "two", connectors: "datagen,s3sink", golden: "datagen_s3sink.go.golden"},
		{name: "file has a source and a sink", connectors: " file ", golden: "file.go.golden"},
		{name: "unknown", connectors: "datagen,kinesis", err: `CONNECTORS: "kinesis" is not a connector package`},
		{name: "empty", connectors: ",", err: "CONNECTORS: no connector named"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Generate(entries, strings.Split(tc.connectors, ","))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Generate(%q) = %v, want an error containing %q", tc.connectors, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("Generate(%q):\n%s\nwant (%s):\n%s", tc.connectors, got, path, want)
			}
		})
	}
}

func TestEntriesNoList(t *testing.T) {
	if _, err := builder.Entries([]byte("package builtin\n\nfunc Plugins() int { return 0 }\n")); err != builder.ErrNoList {
		t.Fatalf("Entries = %v, want ErrNoList", err)
	}
}
