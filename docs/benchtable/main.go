// Command benchtable turns the output of `make bench` (every `go test
// -bench` run and `make bench-kc`'s BenchmarkKafkaConnect lines) into
// docs/bench-latest.md: one table with the machine, the date, the commit and
// every figure each benchmark reported, baselines and ratios included, so
// the figures the docs quote come from a command's output and carry their
// date.
//
//	go run ./docs/benchtable -o docs/bench-latest.md -load-before 1.2 -run "make bench" bin/bench.out [bin/bench-kc.out]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

func main() {
	out := flag.String("o", "docs/bench-latest.md", "the page to write")
	loadBefore := flag.String("load-before", "", "the 1-minute load average when the run started")
	runCmd := flag.String("run", "", "the command whose output this is (make bench with its filters)")
	commit := flag.String("commit", "", "the commit the run measured, when the checkout has moved on since (default: git HEAD)")
	flag.Parse()
	if err := write(*out, *loadBefore, *runCmd, *commit, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// write parses every input file and writes the page.
func write(out, loadBefore, runCmd, commit string, inputs []string) error {
	if len(inputs) == 0 {
		return fmt.Errorf("name at least one file of `go test -bench` output")
	}
	var r run
	for _, in := range inputs {
		f, err := os.Open(in)
		if err != nil {
			return err
		}
		err = parse(f, &r)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
	}
	var b bytes.Buffer
	f := gather(loadBefore, out)
	f.run = runCmd
	if commit != "" {
		f.commit = commit
	}
	render(&b, f, r)
	return os.WriteFile(out, b.Bytes(), 0o644)
}

// gather reads the facts of this machine and checkout; out, the page being
// written, does not count as a change to the checkout.
func gather(loadBefore, out string) facts {
	f := facts{date: time.Now().UTC().Format("2006-01-02 15:04 UTC"), cpus: runtime.NumCPU(),
		goVersion: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH, loadBefore: loadBefore}
	if c, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		f.commit = strings.TrimSpace(string(c))
		if changed(".", out) {
			f.commit += " (with uncommitted changes)"
		}
	}
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		f.loadAfter = strings.Fields(string(la))[0]
	}
	f.memory = memTotal()
	return f
}

// changed reports whether the checkout at dir has uncommitted changes to
// tracked files other than out (the page an earlier step of the same run,
// make bench before make bench-kc, already rewrote).
func changed(dir, out string) bool {
	cmd := exec.Command("git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)"+out)
	cmd.Dir = dir
	st, err := cmd.Output()
	return err == nil && len(st) > 0
}

// memTotal is MemTotal from /proc/meminfo in GiB, or "" off Linux.
func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
			return fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
		}
	}
	return ""
}
