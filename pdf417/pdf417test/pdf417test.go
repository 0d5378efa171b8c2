// Package pdf417test decodes rendered barcodes with ZXing (zxing-cpp's
// ZXingReader, Debian package zxing-cpp-tools) for tests.
//
// When ZXingReader is not installed the calling test is skipped, or fails
// when the environment has AIRBRIDGE_CI=1.
package pdf417test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"airbridge/peertest"
)

// Reader returns the path of ZXingReader. If it is missing it skips t, or
// fails t when AIRBRIDGE_CI=1.
func Reader(t testing.TB) string {
	t.Helper()
	return peertest.Need(t, "ZXingReader", "zxing-cpp-tools")
}

// Decode writes each PNG image to a temporary file and decodes it as PDF417
// with ZXingReader, two decodes at a time. It returns the decoded bytes of
// each image, in order; an image that does not decode gives an error in errs
// at its index. Decode skips or fails t as Reader does.
func Decode(t testing.TB, pngs [][]byte) (out [][]byte, errs []error) {
	t.Helper()
	reader := Reader(t)
	dir := t.TempDir()
	out = make([][]byte, len(pngs))
	errs = make([]error, len(pngs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for i := range jobs {
				out[i], errs[i] = decodeOne(reader, filepath.Join(dir, fmt.Sprintf("%04d.png", i)), pngs[i])
			}
		})
	}
	for i := range pngs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return out, errs
}

func decodeOne(reader, file string, png []byte) ([]byte, error) {
	if err := os.WriteFile(file, png, 0o644); err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(reader, "-format", "PDF417", "-bytes", file)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ZXingReader %s: %v: %s", file, err, bytes.TrimSpace(stderr.Bytes()))
	}
	if stdout.Len() == 0 {
		return nil, fmt.Errorf("ZXingReader %s: no PDF417 symbol found", file)
	}
	return stdout.Bytes(), nil
}
