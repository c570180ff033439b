//go:build integration

package e2e

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/builder"
)

// TestLambdaCustomBuild builds a Lambda function with `ferry build --lambda
// --connectors datagen --with` the example connector and SMT modules, runs
// the zip's bootstrap in the runtime interface emulator, and invokes the
// third-party connector with the third-party transformation: its records
// reach Kafka.
func TestLambdaCustomBuild(t *testing.T) {
	bed := needLambda(t)
	t.Setenv("GOPROXY", "off") // the modules are checkouts: no network
	root := repoRoot(t)
	mod := func(name string) builder.Module {
		return builder.Module{Path: "example.com/ferry-" + name, Dir: filepath.Join(root, "functions", "builder", "testdata", name)}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "custom.zip")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	if err := builder.Build(ctx, builder.Options{Ferry: builder.Module{Dir: root}, With: []builder.Module{mod("greeting"), mod("upper")},
		Connectors: []string{"datagen"}, Tags: []string{"ferry_noavro"}, Lambda: true, Out: out}); err != nil {
		t.Fatal(err)
	}
	boot := unzipBootstrap(t, out, dir)
	st, _ := os.Stat(out)
	t.Logf("built in %v; zip %d bytes", time.Since(start), st.Size())

	emu := startEmulatorWith(t, boot, 30)
	cl := benchBridge(t, emu.endpoint)
	name := uniqueName("custom")
	inv := invocation(t, bed.state, name, "GreetingSource", map[string]string{"topic": name, "count": "50",
		"transforms": "up", "transforms.up.type": "com.example.ferry.Upper$Value",
		"value.converter": "org.apache.kafka.connect.storage.StringConverter"})
	mustRun(t, cl, inv, 50)
	if n := topicCount(t, kafkaAdmin(t, needServices(t).kafka), name); n != 50 {
		t.Fatalf("topic %s holds %d records, want 50", name, n)
	}
}

// unzipBootstrap extracts bootstrap from the zip into dir, checking it is executable.
func unzipBootstrap(t *testing.T, zipPath, dir string) string {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode()&0o111 == 0 || zr.File[0].Method != zip.Deflate {
		t.Fatalf("zip holds %v, want one deflated executable bootstrap", zr.File)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	path := filepath.Join(dir, "bootstrap")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, rc); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
