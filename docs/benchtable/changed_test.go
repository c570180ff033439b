package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The page being written (rewritten by make bench before make bench-kc
// writes it again) does not make the checkout count as changed; any other
// tracked file does.
func TestChangedIgnoresThePage(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	write("docs/bench-latest.md", "old\n")
	write("main.go", "package main\n")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	steps := []struct {
		name, file string
		want       bool
	}{
		{"clean", "", false},
		{"only the page rewritten", "docs/bench-latest.md", false},
		{"a source file changed", "main.go", true},
		{"an untracked file", "new.txt", false},
	}
	for _, st := range steps {
		if st.file != "" {
			write(st.file, "changed\n")
		}
		if got := changed(dir, "docs/bench-latest.md"); got != st.want {
			t.Fatalf("%s: changed = %v, want %v", st.name, got, st.want)
		}
		if st.file == "main.go" {
			git("checkout", "-q", "main.go")
		}
	}
}
