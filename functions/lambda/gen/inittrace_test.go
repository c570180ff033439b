package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// ferryInitBound bounds what ferry's own packages allocate at init in the
// Lambda function with every connector and every optional part: a cold start
// pays for it on every new container whatever the function runs. Tables,
// regular expressions and registries are built on first use (sync.OnceValue),
// not at init; what remains (223 allocations on 2026-12-05) are small error
// values, config keys and maps.
// Allocations, not time, so the check is deterministic.
const ferryInitBound = 300

// initLine is one package of GODEBUG=inittrace=1's output.
var initLine = regexp.MustCompile(`^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs$`)

// ferryInitAllocs runs bin with GODEBUG=inittrace=1 (it exits at once: no
// Lambda runtime, no configuration; init runs first) and returns the
// allocations of each ferry package's init.
func ferryInitAllocs(t *testing.T, bin string) map[string]int {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	_ = cmd.Run() // fails for want of ferry.state, after init
	out := map[string]int{}
	for _, l := range strings.Split(stderr.String(), "\n") {
		m := initLine.FindStringSubmatch(l)
		if m == nil || !strings.HasPrefix(m[1], "github.com/ferryhq/ferry") {
			continue
		}
		n, _ := strconv.Atoi(m[3])
		out[m[1]] += n
	}
	if len(out) == 0 {
		t.Fatalf("no ferry package in %s's init trace:\n%s", bin, stderr.String())
	}
	return out
}

// TestLambdaInitAllocations builds the Lambda function with every part and
// checks that ferry's own packages allocate at most ferryInitBound times at
// init, naming the largest when they do not.
func TestLambdaInitAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Lambda function")
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./functions/lambda")
	cmd.Dir = "../../.."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if raw, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./functions/lambda: %v\n%s", err, raw)
	}
	allocs := ferryInitAllocs(t, bin)
	total := 0
	pkgs := make([]string, 0, len(allocs))
	for p, n := range allocs {
		total += n
		pkgs = append(pkgs, p)
	}
	if total <= ferryInitBound {
		return
	}
	sort.Slice(pkgs, func(i, j int) bool { return allocs[pkgs[i]] > allocs[pkgs[j]] })
	var top []string
	for _, p := range pkgs[:min(5, len(pkgs))] {
		top = append(top, fmt.Sprintf("%s %d", p, allocs[p]))
	}
	t.Fatalf("ferry's packages allocate %d times at init, want at most %d: build what they compute at init on first use (sync.OnceValue); largest: %s",
		total, ferryInitBound, strings.Join(top, ", "))
}
