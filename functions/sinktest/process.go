package sinktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BuildFerry builds the ferry binary into a temporary directory.
func BuildFerry(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ferry")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/ferryhq/ferry").CombinedOutput()
	if err != nil {
		t.Fatalf("building ferry: %v\n%s", err, out)
	}
	return bin
}

// FreePort returns a loopback TCP port nothing listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ReportRow prints one line of the fault-test table and appends it to the
// file named by FAULT_REPORT (make test prints that file at the end), as
// the e2e fault tests do.
func ReportRow(t testing.TB, name string, produced, delivered, lost, dups int64) {
	t.Helper()
	line := fmt.Sprintf("| %-64s | %9d | %9d | %4d | %10d |", name, produced, delivered, lost, dups)
	t.Log(line)
	if path := os.Getenv("FAULT_REPORT"); path != "" {
		if f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(f, line)
			f.Close()
		}
	}
}

// Process is a ferry process a test started, with its combined output.
type Process struct {
	Cmd *exec.Cmd
	out lockedBuffer
}

// StartProcess starts bin with args and env added to this process's.
func StartProcess(t testing.TB, bin string, env []string, args ...string) *Process {
	t.Helper()
	p := &Process{Cmd: exec.Command(bin, args...)}
	p.Cmd.Env = append(os.Environ(), env...)
	p.Cmd.Stdout, p.Cmd.Stderr = &p.out, &p.out
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

// WaitFor polls done every 20 ms until it holds; after within it kills the
// process and fails the test naming what and showing the output.
func (p *Process) WaitFor(t testing.TB, what string, within time.Duration, done func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !done(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			p.Cmd.Process.Kill()
			t.Fatalf("%s: not within %v; output:\n%s", what, within, p.out.String())
		}
	}
}

// Kill sends SIGKILL and waits for the process to exit.
func (p *Process) Kill(t testing.TB) {
	t.Helper()
	if err := p.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.Cmd.Wait()
}

// Stop sends SIGTERM and waits for the process to exit.
func (p *Process) Stop() {
	p.Cmd.Process.Signal(syscall.SIGTERM)
	p.Cmd.Wait()
}

// lockedBuffer is a bytes.Buffer the process's output copier and the test
// may use at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Standalone writes connector name's config to a connector JSON file and
// returns a function starting `ferry standalone` (bin) on it, against the
// rig's Kafka, with a data directory and REST port of its own, at most
// maxRecords records per invocation; each start runs on the same state.
func (r *Rig) Standalone(bin, name string, cfg map[string]string, maxRecords int) (start func() *Process) {
	blob, _ := json.Marshal(map[string]any{"name": name, "config": cfg})
	dir := r.T.TempDir()
	conn := filepath.Join(dir, "connector.json")
	if err := os.WriteFile(conn, blob, 0o644); err != nil {
		r.T.Fatal(err)
	}
	env := []string{"FERRY_DATA_DIR=" + filepath.Join(dir, "data"), "FERRY_BOOTSTRAP_SERVERS=" + strings.Join(r.Seeds, ","),
		fmt.Sprintf("FERRY_MAX_RECORDS=%d", maxRecords), fmt.Sprintf("FERRY_LISTENERS=http://127.0.0.1:%d", FreePort(r.T))}
	return func() *Process { return StartProcess(r.T, bin, env, "standalone", conn) }
}
