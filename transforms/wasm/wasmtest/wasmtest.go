// Package wasmtest builds the WebAssembly modules ferry's tests run — the
// examples (transforms/wasm/examples) and the misbehaving test module —
// from source, once per test process.
package wasmtest

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

// dir is transforms/wasm in the source tree.
func dir(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the wasmtest source directory")
	}
	return filepath.Dir(filepath.Dir(file))
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

// GoModule builds examples/go/<name> for wasip1 and returns the .wasm path.
func GoModule(t testing.TB, name string) string {
	out := filepath.Join(cacheDir(t), "go-"+name+".wasm")
	build(t, out, filepath.Join(dir(t), "examples", "go"), []string{"GOOS=wasip1", "GOARCH=wasm"},
		"go", "build", "-buildmode=c-shared", "-o", out, "./"+name)
	return out
}

// RustModule builds the Rust crate at crate (relative to transforms/wasm)
// for wasm32-wasip1 and returns the path of lib's .wasm.
func RustModule(t testing.TB, crate, lib string) string {
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

// RustMask is the Rust example masking transformation.
func RustMask(t testing.TB) string { return RustModule(t, "examples/rust/mask", "ferry_wasm_mask") }

// Misbehave is the test module that fails as each record asks: its value, or
// a "mode" field of its value, is "trap", "loop", "memory", "panic", "exit",
// "garbage", "notarecord", "outside", "huge", "nothing" or "refuse"; any
// other record comes back unchanged (ferry_transform) or matches (ferry_test).
func Misbehave(t testing.TB) string {
	return RustModule(t, "testdata/misbehave", "ferry_wasm_misbehave")
}
