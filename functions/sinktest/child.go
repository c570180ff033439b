package sinktest

import (
	"io"
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// childEnv names, in a child process, the test it runs as the child.
const childEnv = "FERRY_TEST_CHILD"

// AsChild runs body and reports true when this process is the child that
// StartChild started for t. A kill test begins with
//
//	if sinktest.AsChild(t, func(t *testing.T) { ... }) {
//		return
//	}
//
// so one test is the parent in a normal run and the child in the process
// it starts: there is no separate child test that passes without running.
// The body is meant to be killed; it must end in t.Fatal if it returns.
func AsChild(t *testing.T, body func(t *testing.T)) bool {
	t.Helper()
	if os.Getenv(childEnv) != t.Name() {
		return false
	}
	body(t)
	return true
}

// StartChild starts this test binary again, running only t's test, as the
// child (AsChild true there), with env added and its output written to out.
// The caller owns the process: it kills it and waits for it.
func StartChild(t *testing.T, out io.Writer, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.v", "-test.count=1")
	cmd.Env = append(append(os.Environ(), env...), childEnv+"="+t.Name())
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the child process: %v", err)
	}
	return cmd
}
