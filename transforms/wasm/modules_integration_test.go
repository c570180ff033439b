//go:build integration

package wasm_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// The modules the tests run are built here from source by the toolchains,
// whose own caches (Go's build cache, Cargo's target directory under the
// user cache) make a rebuild cheap. A missing toolchain or Rust target fails
// the test: `make wasm-tools` (run by `make test`) installs the target.

var builds sync.Map // output path -> *sync.Once

// dir is this package's directory.
func dir(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test's source directory")
	}
	return filepath.Dir(file)
}

// cacheDir is where built modules and Cargo's target directory live.
func cacheDir(t testing.TB) string {
	base, err := os.UserCacheDir()
	if err != nil {
		t.Fatalf("no user cache directory for the WebAssembly builds: %v", err)
	}
	d := filepath.Join(base, "ferry-wasm")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// goModule builds examples/go/<name> for wasip1 and returns the .wasm path.
func goModule(t testing.TB, name string) string {
	out := filepath.Join(cacheDir(t), "go-"+name+".wasm")
	build(t, out, filepath.Join(dir(t), "examples", "go"), []string{"GOOS=wasip1", "GOARCH=wasm"},
		"go", "build", "-buildmode=c-shared", "-o", out, "./"+name)
	return out
}

// rustModule builds the Rust crate at crate (relative to this package) for
// wasm32-wasip1 and returns the .wasm path.
func rustModule(t testing.TB, crate, lib string) string {
	target := filepath.Join(cacheDir(t), "cargo-target")
	out := filepath.Join(target, "wasm32-wasip1", "release", lib+".wasm")
	cargo := "cargo"
	if _, err := exec.LookPath(cargo); err != nil {
		if home, herr := os.UserHomeDir(); herr == nil {
			cargo = filepath.Join(home, ".cargo", "bin", "cargo")
		}
	}
	build(t, out, filepath.Join(dir(t), crate), []string{"CARGO_TARGET_DIR=" + target},
		cargo, "build", "--release", "--quiet", "--target", "wasm32-wasip1")
	return out
}

// build runs a build once per test process and fails the test with its output.
func build(t testing.TB, out, workdir string, env []string, name string, args ...string) {
	once, _ := builds.LoadOrStore(out, new(sync.Once))
	var failure string
	once.(*sync.Once).Do(func() {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = workdir, append(os.Environ(), env...)
		if b, err := cmd.CombinedOutput(); err != nil {
			failure = strings.Join(append([]string{name}, args...), " ") + " in " + workdir + ": " + err.Error() + "\n" + string(b) +
				"\n(the Rust target is installed by `make wasm-tools`)"
		}
	})
	if failure != "" {
		t.Fatal(failure)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatalf("building %s: %v (an earlier build in this run failed)", out, err)
	}
}
