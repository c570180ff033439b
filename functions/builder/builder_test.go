package builder

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestParseModule(t *testing.T) {
	abs, _ := filepath.Abs("testdata/upper")
	for _, tc := range []struct {
		in   string
		want Module
		err  string
	}{
		{in: "github.com/acme/ferry-foo@v1.2.0", want: Module{Path: "github.com/acme/ferry-foo", Version: "v1.2.0"}},
		{in: "example.com/ferry-upper=testdata/upper", want: Module{Path: "example.com/ferry-upper", Dir: abs}},
		{in: "example.com/ferry-upper@v0.3.0=testdata/upper", want: Module{Path: "example.com/ferry-upper", Version: "v0.3.0", Dir: abs}},
		{in: "github.com/acme/ferry-foo", err: "name a version (@v1.2.0, @latest) or a local directory"},
		{in: "@v1.0.0", err: "want MODULE[@VERSION][=DIR]"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseModule(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseModule(%q) = %v, want an error containing %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseModule(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

// TestGenerated pins the generated go.mod and plugins package.
func TestGenerated(t *testing.T) {
	with := []Module{{Path: "github.com/acme/ferry-foo", Version: "v1.2.0"}, {Path: "example.com/ferry-upper", Dir: "/src/upper"}}
	ferry := Module{Path: ferryModule, Dir: "/src/ferry"}
	all, err := plan{With: with, Version: "ferry-0.1.0"}.pluginsPackage()
	if err != nil {
		t.Fatal(err)
	}
	some, err := plan{With: with, Version: "ferry-0.1.0", Transforms: []string{"MaskField"},
		Connectors: []Entry{{Pkg: "file", Func: "Source", Path: ferryModule + "/connectors/file"}, {Pkg: "file", Func: "Sink", Path: ferryModule + "/connectors/file"}}}.pluginsPackage()
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]string{
		"go.mod.golden":          goMod("1.26.8", ferry, with),
		"plugins_all.go.golden":  string(all),
		"plugins_trim.go.golden": string(some),
	} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s:\n%s\nwant:\n%s", name, got, want)
		}
	}
}

// TestBuildTags: a build keeping no WebAssembly class leaves wazero out.
func TestBuildTags(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{name: "all transforms", o: Options{Tags: []string{"ferry_noavro"}}, want: "ferry_noavro"},
		{name: "none", o: Options{Transforms: []string{}}, want: "ferry_nowasm"},
		{name: "MaskField", o: Options{Transforms: []string{"MaskField"}, Tags: []string{"ferry_noavro"}}, want: "ferry_noavro,ferry_nowasm"},
		{name: "Wasm kept", o: Options{Transforms: []string{"MaskField", "Wasm"}}, want: ""},
		{name: "predicate kept", o: Options{Transforms: []string{"WasmPredicate"}}, want: ""},
		{name: "tag given", o: Options{Transforms: []string{}, Tags: []string{"ferry_nowasm"}}, want: "ferry_nowasm"},
	} {
		if got := strings.Join(tc.o.buildTags(), ","); got != tc.want {
			t.Errorf("%s: buildTags() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestLocalReplaces: a custom build carries ferry's replace directives to
// its own directories (the goccy/go-json and TiDB parser stand-ins, the HDFS
// client's fork), so it
// links what ferry's own builds link and needs no other module's checksum.
func TestLocalReplaces(t *testing.T) {
	root, _ := filepath.Abs("../..")
	got, err := localReplaces(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Module{
		{Path: "github.com/goccy/go-json", Dir: filepath.Join(root, "connectors", "mysqlcdc", "gojson")},
		{Path: "github.com/pingcap/tidb/pkg/parser", Dir: filepath.Join(root, "connectors", "mysqlcdc", "tidbparser")},
		{Path: "github.com/colinmarc/hdfs/v2", Dir: filepath.Join(root, "connectors", "hdfssink", "hdfsclient")},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("localReplaces(%s) = %+v, want %+v", root, got, want)
	}
	mod := goMod("1.26.8", Module{Path: ferryModule, Version: "v0.0.0"}, nil, got...)
	for _, m := range want {
		if _, err := os.Stat(filepath.Join(m.Dir, "go.mod")); err != nil {
			t.Fatalf("the replacement of %s has no go.mod: %v", m.Path, err)
		}
		if !strings.Contains(mod, "replace "+m.Path+" => "+m.Dir+"\n") {
			t.Fatalf("generated go.mod lacks the replace of %s:\n%s", m.Path, mod)
		}
	}
}
