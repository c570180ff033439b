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

// defaultInitBound bounds what every package allocates at init, libraries
// included, in the function `make lambda` builds (every connector, the
// Makefile's LAMBDA_WITHOUT left out). Most of it is the connectors'
// libraries, which no build tag can take out of a build holding their
// connectors; the TiDB parser (go-mysql) and the HDFS client's protobuf
// types, which built tables at init (5,487 allocations before, on
// 2026-12-05), are replaced by ferry's stand-in and fork (go.mod): 3,488
// allocations now.
const defaultInitBound = 3800

// initLine is one package of GODEBUG=inittrace=1's output.
var initLine = regexp.MustCompile(`^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs$`)

// initAllocs runs bin with GODEBUG=inittrace=1 (it exits at once: no
// Lambda runtime, no configuration; init runs first) and returns the
// allocations of each package's init whose path has prefix.
func initAllocs(t *testing.T, bin, prefix string) map[string]int {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	_ = cmd.Run() // fails for want of ferry.state, after init
	out := map[string]int{}
	for _, l := range strings.Split(stderr.String(), "\n") {
		m := initLine.FindStringSubmatch(l)
		if m == nil || !strings.HasPrefix(m[1], prefix) {
			continue
		}
		n, _ := strconv.Atoi(m[3])
		out[m[1]] += n
	}
	if len(out) == 0 {
		t.Fatalf("no package %s* in %s's init trace:\n%s", prefix, bin, stderr.String())
	}
	return out
}

// TestLambdaInitAllocations builds the Lambda function and checks what its
// packages allocate at init, naming the largest when it is over the bound:
// ferry's own packages with every part in, and every package in the
// default build.
func TestLambdaInitAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Lambda function")
	}
	_, without := makefileParts(t)
	tags := []string{"lambda.norpc"}
	for _, part := range without {
		tags = append(tags, "ferry_no"+part)
	}
	for _, tc := range []struct {
		name, prefix, fix string
		tags              []string
		bound             int
	}{
		{"ferry's packages, every part", "github.com/ferryhq/ferry", "build what they compute at init on first use (sync.OnceValue)",
			[]string{"lambda.norpc"}, ferryInitBound},
		{"every package, make lambda", "", "build what they compute at init on first use, or keep the library out of the function",
			tags, defaultInitBound},
	} {
		bin := filepath.Join(t.TempDir(), "bootstrap")
		cmd := exec.Command("go", "build", "-tags", strings.Join(tc.tags, ","), "-o", bin, "./functions/lambda")
		cmd.Dir = "../../.."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if raw, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./functions/lambda: %v\n%s", err, raw)
		}
		allocs := initAllocs(t, bin, tc.prefix)
		total := 0
		pkgs := make([]string, 0, len(allocs))
		for p, n := range allocs {
			total += n
			pkgs = append(pkgs, p)
		}
		if total <= tc.bound {
			continue
		}
		sort.Slice(pkgs, func(i, j int) bool { return allocs[pkgs[i]] > allocs[pkgs[j]] })
		var top []string
		for _, p := range pkgs[:min(5, len(pkgs))] {
			top = append(top, fmt.Sprintf("%s %d", p, allocs[p]))
		}
		t.Errorf("%s: %d allocations at init, want at most %d: %s; largest: %s",
			tc.name, total, tc.bound, tc.fix, strings.Join(top, ", "))
	}
}
