package sinktest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
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
