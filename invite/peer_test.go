package invite

import (
	"os"
	"path/filepath"
	"testing"

	"airbridge/peertest"
)

// zxing decodes the one QR code in the image file at path with ZXing and
// returns its bytes.
func zxing(t *testing.T, path string) []byte {
	t.Helper()
	reader := peertest.Need(t, "ZXingReader", "zxing-cpp-tools")
	return peertest.Run(t, reader, "-format", "QRCode", "-bytes", path)
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
