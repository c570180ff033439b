//go:build integration

package e2e

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions"
)

// buildLambda builds pkg (a package path relative to the module) as
// `make lambda` builds its bootstrap, into dir, and returns the binary.
// tags are added to lambda.norpc.
func buildLambda(t testing.TB, pkg, dir string, tags ...string) string {
	t.Helper()
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", strings.Join(append([]string{"lambda.norpc"}, tags...), ","),
		"-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if raw, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, raw)
	}
	return out
}

// buildSelected builds a function with only the connector packages in list
// (`make lambda CONNECTORS=list`): functions/lambda/gen writes its main in a
// directory of the module that ./... skips.
func buildSelected(t testing.TB, list string, tags ...string) string {
	t.Helper()
	src := lambdaSource(t, list)
	return buildLambda(t, "./"+filepath.Join("dist", filepath.Base(src)), t.TempDir(), tags...)
}

// lambdaSource writes the main package of the function with the connector
// packages in list, or of `make lambda`'s with every connector when list is
// empty, into a new directory of the module's dist (which ./... skips), and
// returns it.
func lambdaSource(t testing.TB, list string) string {
	t.Helper()
	root := repoRoot(t)
	if err := os.MkdirAll(filepath.Join(root, "dist"), 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.MkdirTemp(filepath.Join(root, "dist"), "_lambda-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(src) })
	if list == "" {
		main, err := os.ReadFile(filepath.Join(root, "functions", "lambda", "main.go"))
		if err == nil {
			err = os.WriteFile(filepath.Join(src, "main.go"), main, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	gen := exec.Command("go", "run", "./functions/lambda/gen", "-connectors", list, "-o", filepath.Join(src, "main.go"))
	gen.Dir = root
	if raw, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("functions/lambda/gen -connectors %s: %v\n%s", list, err, raw)
	}
	return src
}

// floorInit is a main-package file that starts hello-world's handler
// (testdata/hellolambda's) from an init: it runs after every package's init
// and before ferry's main.
const floorInit = `package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func init() {
	lambda.Start(func(context.Context, json.RawMessage) (string, error) { return "hello", nil })
}
`

// buildFloor builds the function of list (as lambdaSource) with
// hello-world's handler in place of ferry's start: the same binary, the
// runtime's start for it and its libraries' inits, and none of ferry's own
// start (configuration, the Kafka client, the store's connection). Its cold
// start is the floor of that function's, what its size and libraries cost.
func buildFloor(t testing.TB, list string, tags ...string) string {
	t.Helper()
	src := lambdaSource(t, list)
	if err := os.WriteFile(filepath.Join(src, "floor.go"), []byte(floorInit), 0o644); err != nil {
		t.Fatal(err)
	}
	return buildLambda(t, "./"+filepath.Join("dist", filepath.Base(src)), t.TempDir(), tags...)
}

// zipSize is the size of the deflated zip holding bin as bootstrap, at the
// best compression (as `make lambda` zips it, with Go's deflate).
func zipSize(t testing.TB, bin string) (raw, zipped int) {
	t.Helper()
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Deflate})
	_, _ = w.Write(data)
	_ = zw.Close()
	return len(data), zbuf.Len()
}

// TestLambdaTrimmed runs real invocations in a function built with the
// datagen connector only and without Avro (make lambda CONNECTORS=datagen
// WITHOUT_AVRO=1): a 200-record datagen source invocation writes its
// records to Kafka, and a connector left out of the build fails naming it.
func TestLambdaTrimmed(t *testing.T) {
	bed := needLambda(t)
	boot := buildSelected(t, "datagen", "ferry_noavro")
	emu := startEmulatorWith(t, boot, 30)
	cl := benchBridge(t, emu.endpoint)
	name := uniqueName("trimmed")
	src := invocation(t, bed.state, name, "io.confluent.kafka.connect.datagen.DatagenConnector",
		map[string]string{"kafka.topic": name, "quickstart": "orders", "iterations": "200", "max.interval": "0"})
	mustRun(t, cl, src, 200)
	if n := topicCount(t, kafkaAdmin(t, needServices(t).kafka), name); n != 200 {
		t.Fatalf("topic %s holds %d records, want 200", name, n)
	}
	sink := invocation(t, bed.state, name+"-sink", "org.apache.kafka.connect.file.FileStreamSinkConnector",
		map[string]string{"topics": name, "file": filepath.Join(t.TempDir(), "out.txt")})
	sink.Deadline = time.Now().Add(20 * time.Second)
	res, err := cl.Dispatch(context.Background(), sink)
	if err != nil || res.State != functions.StateFailed || !strings.Contains(res.Trace, "FileStreamSinkConnector") {
		t.Fatalf("file sink in a datagen-only function: %+v %v; want FAILED naming the class", res, err)
	}
}

// BenchmarkLambdaTrimmed prints, in one run, the zip sizes of today's full
// ferry binary, the default trimmed function and a single-connector
// function, and the cold start (first invoke of a fresh emulator, init
// included) of each against a hello-world Go function built the same way;
// the "floor of" rows are those functions' binaries with hello-world's
// handler in place of ferry's start (buildFloor), what their size and
// libraries alone cost.
// LAMBDA_BEFORE and LAMBDA_COMPARE add bootstraps built elsewhere (see
// extraBootstraps), LAMBDA_BUILDS (a regular expression) selects the builds
// by name, LAMBDA_ROUNDS sets the rounds (default 7).
func BenchmarkLambdaTrimmed(b *testing.B) {
	needLambda(b)
	// the tags of `make lambda`'s default (LAMBDA_WITHOUT=protobuf,wasm,awschain) and of WITHOUT=avro,protobuf,wasm,awschain
	def := []string{"ferry_noprotobuf", "ferry_nowasm", "ferry_noawschain"}
	lean := append([]string{"ferry_noavro"}, def...)
	type build struct {
		name string
		bin  func() string
	}
	all := []build{
		{"full ferry (.)", func() string { return buildLambda(b, ".", b.TempDir()) }},
		{"make lambda WITHOUT= (every part)", func() string { return buildLambda(b, "./functions/lambda", b.TempDir()) }},
		{"make lambda (WITHOUT=protobuf,wasm,awschain)", func() string { return buildLambda(b, "./functions/lambda", b.TempDir(), def...) }},
		{"make lambda WITHOUT=avro,protobuf,wasm,awschain", func() string { return buildLambda(b, "./functions/lambda", b.TempDir(), lean...) }},
		{"make lambda CONNECTORS=datagen", func() string { return buildSelected(b, "datagen", def...) }},
		{"make lambda CONNECTORS=datagen WITHOUT=avro,protobuf,wasm,awschain", func() string { return buildSelected(b, "datagen", lean...) }},
		{"make lambda CONNECTORS=s3sink", func() string { return buildSelected(b, "s3sink", def...) }},
		{"make lambda CONNECTORS=s3sink WITHOUT=avro,protobuf,wasm,awschain", func() string { return buildSelected(b, "s3sink", lean...) }},
		{"floor of make lambda (its binary, hello-world's handler)", func() string { return buildFloor(b, "", def...) }},
		{"floor of make lambda CONNECTORS=datagen", func() string { return buildFloor(b, "datagen", def...) }},
		{"floor of make lambda CONNECTORS=s3sink", func() string { return buildFloor(b, "s3sink", def...) }},
	}
	builds := []struct{ name, bin string }{
		{"hello-world (aws-lambda-go)", buildLambda(b, "./functions/e2e/testdata/hellolambda", b.TempDir())},
	}
	for _, bl := range extraBootstraps(b) {
		builds = append(builds, struct{ name, bin string }{bl[0], bl[1]})
	}
	only := regexp.MustCompile(os.Getenv("LAMBDA_BUILDS")) // empty: every build
	for _, bl := range all {
		if only.MatchString(bl.name) {
			builds = append(builds, struct{ name, bin string }{bl.name, bl.bin()})
		}
	}
	rounds := 7
	if n, err := strconv.Atoi(os.Getenv("LAMBDA_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	cold := make([][]time.Duration, len(builds))
	for r := 0; r < rounds; r++ { // interleaved, so load on the shared machine hits all alike
		for i, bl := range builds {
			cold[i] = append(cold[i], firstInvoke(b, bl.bin))
		}
	}
	b.Logf("%d rounds", rounds)
	b.Logf("| build | bootstrap MiB | zip bytes | zip MiB | cold start p50 | min | max | x hello-world (p50) |")
	for i, bl := range builds {
		raw, zipped := zipSize(b, bl.bin)
		b.Logf("| %s | %.1f | %d | %.2f | %s | %s | %s | %.2f |", bl.name, mb(raw), zipped, mb(zipped),
			pct(cold[i], 50).Round(100*time.Microsecond), pct(cold[i], 0).Round(100*time.Microsecond),
			pct(cold[i], 100).Round(100*time.Microsecond), ratio(pct(cold[i], 50), pct(cold[0], 50)))
	}
}

// extraBootstraps are the bootstraps LAMBDA_BEFORE names (one, shown as
// "before") and LAMBDA_COMPARE names (name=path,...), e.g. built from
// earlier commits as `make lambda` built them there.
func extraBootstraps(b *testing.B) [][2]string {
	var out [][2]string
	if before := os.Getenv("LAMBDA_BEFORE"); before != "" {
		out = append(out, [2]string{"before (LAMBDA_BEFORE)", before})
	}
	for _, kv := range strings.Split(os.Getenv("LAMBDA_COMPARE"), ",") {
		if kv == "" {
			continue
		}
		i := strings.LastIndex(kv, "=") // names may hold "=" (CONNECTORS=datagen), paths not
		if i < 0 {
			b.Fatalf("LAMBDA_COMPARE: %q is not name=path", kv)
		}
		out = append(out, [2]string{kv[:i], kv[i+1:]})
	}
	return out
}

// firstInvoke starts a fresh emulator with bin and times its first Invoke
// (the emulator starts the function on it: init, then the invocation). The
// payload is a bare "{}": ferry answers it FAILED once it has started.
func firstInvoke(b *testing.B, bin string) time.Duration {
	emu := startEmulatorWith(b, bin, 30)
	defer emu.stop()
	begin := time.Now()
	res, err := http.Post(emu.endpoint+"/2015-03-31/functions/function/invocations", "application/json", strings.NewReader("{}"))
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	d := time.Since(begin)
	if res.StatusCode != http.StatusOK {
		b.Fatalf("first invoke of %s: %s\n%s", bin, res.Status, emu.out)
	}
	return d
}
