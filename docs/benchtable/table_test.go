package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/bench-latest.golden")

// The page for a known run is byte for byte the golden file: packages
// sorted, GOMAXPROCS suffixes and log lines dropped, figures grouped.
func TestRenderGolden(t *testing.T) {
	var r run
	for _, in := range []string{"testdata/bench.out", "testdata/bench-kc.out"} {
		f, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		if err := parse(f, &r); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	var b bytes.Buffer
	render(&b, facts{date: "2026-12-05 15:00 UTC", commit: "abc1234", goVersion: "go1.26 linux/amd64",
		cpus: 2, memory: "24 GiB", loadBefore: "0.50", loadAfter: "1.20", run: "make bench BENCH='Chain5|Sink' BENCH_PKGS='./...'"}, r)
	if *update {
		os.WriteFile("testdata/bench-latest.golden", b.Bytes(), 0o644)
	}
	want, err := os.ReadFile("testdata/bench-latest.golden")
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Fatalf("page:\n%s\nwant:\n%s", b.String(), want)
	}
}

// A Benchmark line with a figure that is not "value unit" is an error
// naming the line; name-only lines and prose are not.
func TestParseLines(t *testing.T) {
	for _, tc := range []struct {
		in      string
		results int
		err     string
	}{
		{"BenchmarkX-2\t1\t12 ns/op\n", 1, ""},
		{"BenchmarkX\n", 0, ""},
		{"BenchmarkX is slow today\n", 0, ""},
		{"BenchmarkX-2\t1\tfast ns/op\n", 0, `figure "fast ns/op"`},
		{"BenchmarkX-2\t1\t12 ns/op extra\n", 0, "is not a value and a unit"},
	} {
		var r run
		err := parse(strings.NewReader(tc.in), &r)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
		}
		if len(r.results) != tc.results {
			t.Errorf("%q: %d results, want %d", tc.in, len(r.results), tc.results)
		}
	}
}

func TestFormat(t *testing.T) {
	for v, want := range map[float64]string{1234567: "1,234,567", -4200: "-4,200", 12.34: "12.3", 1.23456: "1.235"} {
		if got := format(v); got != want {
			t.Errorf("format(%v) = %s, want %s", v, got, want)
		}
	}
}
