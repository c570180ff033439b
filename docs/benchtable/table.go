package main

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// maxLine bounds one line of benchmark output.
const maxLine = 1 << 20

// figure is one value a benchmark reported, with its unit (ns/op, a
// b.ReportMetric unit such as records/s or speedup-cpu-x).
type figure struct {
	value float64
	unit  string
}

// result is one benchmark line.
type result struct {
	pkg, name string
	figures   []figure
}

// run is everything the output of one or more `go test -bench` runs said.
type run struct {
	cpu     string
	results []result
}

// parse reads `go test -bench` output: "pkg:" and "cpu:" headers and
// Benchmark lines ("BenchmarkName-P  N  value unit  value unit ..."); other
// lines (PASS, ok, logs) are ignored. A Benchmark line whose pairs do not
// parse is an error naming the line.
func parse(r io.Reader, into *run) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	pkg := ""
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(line, "pkg: ")
		case strings.HasPrefix(line, "cpu: "):
			into.cpu = strings.TrimPrefix(line, "cpu: ")
		case strings.HasPrefix(line, "Benchmark"):
			res, ok, err := parseLine(line)
			if err != nil {
				return fmt.Errorf("line %d %q: %w", n, line, err)
			}
			if ok {
				res.pkg = pkg
				into.results = append(into.results, res)
			}
		}
	}
	return sc.Err()
}

// parseLine splits one Benchmark line; ok is false for a line that is only
// a name (a benchmark's log lines follow it on their own lines).
func parseLine(line string) (result, bool, error) {
	fields := strings.Split(line, "\t")
	if len(fields) < 3 {
		return result{}, false, nil
	}
	name := strings.TrimSpace(fields[0])
	if _, err := strconv.Atoi(strings.TrimSpace(fields[1])); err != nil {
		return result{}, false, nil
	}
	res := result{name: trimProcs(strings.TrimPrefix(name, "Benchmark"))}
	for _, pair := range fields[2:] {
		parts := strings.Fields(pair)
		if len(parts) == 0 {
			continue
		}
		if len(parts) != 2 {
			return result{}, false, fmt.Errorf("figure %q is not a value and a unit", pair)
		}
		v, err := strconv.ParseFloat(parts[0], 64)
		if err != nil {
			return result{}, false, fmt.Errorf("figure %q: %w", pair, err)
		}
		res.figures = append(res.figures, figure{v, parts[1]})
	}
	return res, true, nil
}

// trimProcs drops the "-P" GOMAXPROCS suffix go test adds to a name.
func trimProcs(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return name
}

// facts describe the machine and the code a run measured.
type facts struct {
	date, commit, goVersion, cpu, memory, loadBefore, loadAfter, run string
	cpus                                                             int
}

// render writes the table page: the facts, then one table per package.
func render(w io.Writer, f facts, r run) {
	fmt.Fprintf(w, "# Latest benchmark run\n\n")
	fmt.Fprintf(w, "Written by `make bench` (`docs/benchtable`) from the run's own output; do not edit by hand.\n")
	fmt.Fprintf(w, "Compare figures within this run only: on a shared 2-core machine they move by ±30%% between runs.\n\n")
	fmt.Fprintf(w, "| | |\n|---|---|\n")
	fmt.Fprintf(w, "| date | %s |\n| commit | `%s` |\n| go | %s |\n", f.date, f.commit, f.goVersion)
	if f.run != "" {
		fmt.Fprintf(w, "| command | `%s` |\n", cell(f.run))
	}
	fmt.Fprintf(w, "| machine | %s, %d CPUs, %s |\n", orDash(firstNonEmpty(r.cpu, f.cpu)), f.cpus, orDash(f.memory))
	fmt.Fprintf(w, "| load average (1 min) | %s before, %s after |\n", orDash(f.loadBefore), orDash(f.loadAfter))
	byPkg := map[string][]result{}
	var pkgs []string
	for _, res := range r.results {
		if _, ok := byPkg[res.pkg]; !ok {
			pkgs = append(pkgs, res.pkg)
		}
		byPkg[res.pkg] = append(byPkg[res.pkg], res)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		fmt.Fprintf(w, "\n## %s\n\n| benchmark | figure | value |\n|---|---|---:|\n", orDash(pkg))
		for _, res := range byPkg[pkg] {
			for _, fig := range res.figures {
				fmt.Fprintf(w, "| %s | %s | %s |\n", cell(res.name), cell(fig.unit), format(fig.value))
			}
		}
	}
	if len(r.results) == 0 {
		fmt.Fprintf(w, "\nThe run reported no benchmarks.\n")
	}
}

// format prints a figure with three significant digits at least and
// thousands separators, so tables stay readable.
func format(v float64) string {
	switch a := abs(v); {
	case a >= 1000:
		return group(strconv.FormatFloat(v, 'f', 0, 64))
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// group puts thousands separators into an integer's digits.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// cell escapes the pipes of a table cell (a -bench pattern holds them).
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
