package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// partPackages are the import paths (prefixes) each optional part of a
// Lambda build brings, the ones its ferry_no<part> tag must leave out.
var partPackages = map[string][]string{
	"avro":     {"github.com/ferryhq/ferry/transforms/convert/avro"},
	"protobuf": {"github.com/ferryhq/ferry/transforms/convert/protobuf", "github.com/bufbuild/protocompile"},
	"wasm":     {"github.com/ferryhq/ferry/transforms/wasm", "github.com/tetratelabs/wazero"},
	"redis":    {"github.com/ferryhq/ferry/state/redis"}, // go-redis too unless the Redis connectors are in
	"awschain": {"github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2/service/sts",
		"github.com/aws/aws-sdk-go-v2/service/sso", "github.com/aws/aws-sdk-go-v2/service/ssooidc", "github.com/aws/aws-sdk-go-v2/service/signin"},
}

// neverInLambda are the packages no Lambda function links: the scheduler,
// the REST API, the NATS server, Prometheus; and modern-go/reflect2 (which
// hamba/avro brought), whose Method wrappers, once reachable, make the
// linker keep every exported method of every type in an interface (5 MB).
var neverInLambda = []string{"github.com/ferryhq/ferry/scheduler", "github.com/nats-io/nats-server", "github.com/prometheus/",
	"github.com/modern-go/reflect2", "github.com/hamba/avro"}

// makefileParts reads the Makefile's LAMBDA_PARTS and LAMBDA_WITHOUT, so
// the test checks the build `make lambda` runs.
func makefileParts(t *testing.T) (parts, without []string) {
	t.Helper()
	f, err := os.Open("../../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "LAMBDA_PARTS := "); ok {
			parts = strings.Fields(v)
		}
		if v, ok := strings.CutPrefix(sc.Text(), "LAMBDA_WITHOUT := "); ok {
			without = strings.Split(v, ",")
		}
	}
	if len(parts) == 0 || len(without) == 0 {
		t.Fatal("the Makefile has no LAMBDA_PARTS or LAMBDA_WITHOUT line")
	}
	return parts, without
}

// deps lists the packages pkg links with tags (go list -deps).
func deps(t *testing.T, pkg string, tags []string) map[string]bool {
	t.Helper()
	args := []string{"list", "-deps", "-tags", strings.Join(append([]string{"lambda.norpc"}, tags...), ",")}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = "../../.."
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s %s: %v", strings.Join(args, " "), pkg, err)
	}
	set := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		set[p] = true
	}
	return set
}

// linked reports the packages of set under prefix.
func linked(set map[string]bool, prefix string) []string {
	var out []string
	for p := range set {
		if p == prefix || strings.HasPrefix(p, strings.TrimSuffix(prefix, "/")+"/") || (strings.HasSuffix(prefix, "/") && strings.HasPrefix(p, prefix)) {
			out = append(out, p)
		}
	}
	return out
}

func tagsWithout(parts []string) []string {
	var tags []string
	for _, p := range parts {
		tags = append(tags, "ferry_no"+p)
	}
	return tags
}

// TestTrimmedBuildsLeaveOut checks the import graphs of the Lambda builds:
// `make lambda` (LAMBDA_WITHOUT) links every built-in connector and none of
// the parts it leaves out, each part's tag leaves its packages out, a build
// with every part links them all, and a CONNECTORS build links no other
// connector package.
func TestTrimmedBuildsLeaveOut(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list on the Lambda builds")
	}
	parts, without := makefileParts(t)
	for _, p := range parts {
		if partPackages[p] == nil {
			t.Fatalf("the Makefile's part %q has no packages in partPackages: add them", p)
		}
	}
	connectorPkgs := map[string]bool{}
	for _, e := range builtinEntries(t) {
		connectorPkgs[e.Path] = true
	}
	selected := selectedMain(t, "datagen")
	for _, tc := range []struct {
		name, pkg string
		without   []string
		conns     []string // connector packages linked; nil: every built-in one
		absent    []string // other packages it must not link
	}{
		{name: "make lambda", pkg: "./functions/lambda", without: without},
		{name: "make lambda WITHOUT=", pkg: "./functions/lambda"},
		{name: "make lambda WITHOUT=" + strings.Join(parts, ","), pkg: "./functions/lambda", without: parts},
		{name: "make lambda CONNECTORS=datagen WITHOUT=" + strings.Join(parts, ","), pkg: selected, without: parts,
			conns:  []string{"github.com/ferryhq/ferry/connectors/datagen"},
			absent: []string{"github.com/redis/go-redis", "github.com/aws/aws-sdk-go-v2/service/s3", "github.com/jackc/pgx", "github.com/colinmarc/hdfs", "google.golang.org/protobuf"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := deps(t, tc.pkg, tagsWithout(tc.without))
			for _, p := range neverInLambda {
				if got := linked(set, p); len(got) > 0 {
					t.Errorf("links %s, which no Lambda function needs", got)
				}
			}
			for _, part := range parts {
				left := slices.Contains(tc.without, part)
				for _, p := range partPackages[part] {
					got := linked(set, p)
					if left && len(got) > 0 {
						t.Errorf("WITHOUT=%s still links %s", part, got)
					}
					if !left && len(got) == 0 {
						t.Errorf("keeps %s but links no %s", part, p)
					}
				}
			}
			for _, p := range tc.absent {
				if got := linked(set, p); len(got) > 0 {
					t.Errorf("links %s", got)
				}
			}
			for c := range connectorPkgs {
				want := tc.conns == nil || slices.Contains(tc.conns, c)
				if set[c] != want {
					t.Errorf("links connector package %s: %v, want %v", c, set[c], want)
				}
			}
		})
	}
}

// selectedMain writes the main of `make lambda CONNECTORS=list` in a
// directory of the module that ./... skips and returns its package path.
func selectedMain(t *testing.T, list string) string {
	t.Helper()
	entries := builtinEntries(t)
	code, err := Generate(entries, strings.Split(list, ","))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll("../../../dist", 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("../../../dist", "_lambda-trim-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "main.go"), code, 0o644); err != nil {
		t.Fatal(err)
	}
	return "./dist/" + filepath.Base(dir)
}
