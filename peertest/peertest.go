// Package peertest finds and runs the programs some tests need beside Go —
// ZXing's reader, poppler, the reference solvers — by one policy: a test
// whose peer is missing skips with a one-line reason, or fails when the
// environment has AIRBRIDGE_CI=1, since CI installs every peer.
package peertest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Need returns the path of the program name, which Debian's package debPkg
// provides, or skips or fails t if it is not on PATH.
func Need(t testing.TB, name, debPkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("AIRBRIDGE_CI") == "1" {
			t.Fatalf("%s is not on PATH (Debian package %s), and AIRBRIDGE_CI=1 requires it", name, debPkg)
		}
		t.Skipf("%s is not on PATH; install Debian's %s to run this test", name, debPkg)
	}
	return path
}

// SimPy returns Debian's Python 3 if it has SimPy 3 (Debian package
// python3-simpy3), or skips or fails t.
func SimPy(t testing.TB) string {
	t.Helper()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import simpy; assert int(simpy.__version__.split('.')[0]) >= 3").Run(); err != nil {
		if os.Getenv("AIRBRIDGE_CI") == "1" {
			t.Fatalf("%s with SimPy 3 is missing (Debian package python3-simpy3), and AIRBRIDGE_CI=1 requires it: %v", python, err)
		}
		t.Skipf("%s with SimPy 3 is missing; install Debian's python3-simpy3 to run this test", python)
	}
	return python
}

// Run runs a program and returns its standard output; a non-zero exit
// status or anything on standard error fails t.
func Run(t testing.TB, path string, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("%s %q: %v\n%s", filepath.Base(path), args, err, stderr.Bytes())
	}
	return stdout.Bytes()
}
