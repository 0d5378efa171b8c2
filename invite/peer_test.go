package invite

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// peer returns the path of the named program. When it is not on PATH it
// skips the test with a one-line reason, or fails it when AIRBRIDGE_CI=1:
// the CI installs every peer.
func peer(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("AIRBRIDGE_CI") == "1" {
			t.Fatalf("%s is not on PATH (Debian package %s), and AIRBRIDGE_CI=1 requires it", name, pkg)
		}
		t.Skipf("%s is not on PATH; install Debian's %s to run this test", name, pkg)
	}
	return path
}

// run runs a peer program and returns its standard output; a non-zero exit
// status or anything on standard error fails the test.
func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("%s %q: %v\n%s", filepath.Base(name), args, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// zxing decodes the one QR code in the image file at path with ZXing and
// returns its bytes.
func zxing(t *testing.T, path string) []byte {
	t.Helper()
	reader := peer(t, "ZXingReader", "zxing-cpp-tools")
	return run(t, reader, "-format", "QRCode", "-bytes", path)
}

// writeTemp writes b to a new file name in a temporary directory and returns
// its path.
func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
