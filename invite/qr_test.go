package invite

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"airbridge/peertest"
)

// invitations returns signed texts of several sizes, by name.
func invitations(t *testing.T) map[string]string {
	t.Helper()
	one := example()
	one.Persons = one.Persons[5:]
	one.Group, one.Gate = "g.1", "north.gate"
	big := example()
	big.Persons = nil
	for i := range 40 {
		big.Persons = append(big.Persons, Person{ID: fmt.Sprintf("P%012d", i), Doc: []byte{byte(i), 2, 3, 4, 5, 6, 7, 8}})
	}
	return map[string]string{
		"typical": mustSign(t, example()),
		"one":     mustSign(t, one),
		"forty":   mustSign(t, big),
	}
}

func TestPNG(t *testing.T) {
	text := mustSign(t, example())
	for _, scale := range []int{1, 3, maxScale} {
		b, err := PNG(text, scale)
		if err != nil {
			t.Fatalf("PNG(scale %d): %v", scale, err)
		}
		// IHDR: bit depth 1, color type 3 (palette).
		if depth, typ := b[24], b[25]; depth != 1 || typ != 3 {
			t.Errorf("scale %d: bit depth %d, color type %d; want 1 and 3", scale, depth, typ)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		checkSymbol(t, img, scale)
	}
}

// checkSymbol checks that img is a QR code of scale pixels a module: black
// and white square blocks, the quiet zone white, and finder patterns in
// three corners.
func checkSymbol(t *testing.T, img image.Image, scale int) {
	t.Helper()
	side := img.Bounds().Dx()
	n := side/scale - 2*quiet
	if img.Bounds().Dy() != side || side%scale != 0 || n < 21 || n > 177 || (n-17)%4 != 0 {
		t.Fatalf("scale %d: image %v is not a QR code with its quiet zone", scale, img.Bounds())
	}
	dark := func(mx, my int) bool { // the module at (mx, my), counting the quiet zone
		var want color.Gray
		for y := my * scale; y < (my+1)*scale; y++ {
			for x := mx * scale; x < (mx+1)*scale; x++ {
				g := color.GrayModel.Convert(img.At(x, y)).(color.Gray)
				if x == mx*scale && y == my*scale {
					want = g
				}
				if g != want || g.Y != 0 && g.Y != 0xff {
					t.Fatalf("scale %d: module (%d, %d) is not one black or white block", scale, mx, my)
				}
			}
		}
		return want.Y == 0
	}
	for m := range n + 2*quiet {
		for q := range quiet {
			if dark(m, q) || dark(q, m) || dark(m, n+2*quiet-1-q) || dark(n+2*quiet-1-q, m) {
				t.Fatalf("scale %d: quiet zone is not white", scale)
			}
		}
	}
	for _, corner := range [][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
		for i := range 7 {
			for j := range 7 {
				ring := max(abs(i-3), abs(j-3))
				want := ring != 2
				if got := dark(quiet+corner[0]+i, quiet+corner[1]+j); got != want {
					t.Fatalf("scale %d: finder pattern at %v is wrong", scale, corner)
				}
			}
		}
	}
}

func abs(x int) int { return max(x, -x) }

func TestPNGErrors(t *testing.T) {
	for _, scale := range []int{-1, 0, maxScale + 1} {
		if _, err := PNG("x", scale); err == nil {
			t.Errorf("PNG(scale %d): no error", scale)
		}
	}
	if _, err := PNG(strings.Repeat("x", 2332), 1); err == nil {
		t.Error("PNG of 2332 bytes: no error, but version 40-M holds 2331")
	}
	if _, err := PNG(strings.Repeat("x", 2331), 1); err != nil {
		t.Errorf("PNG of 2331 bytes: %v", err)
	}
}

// TestPNGZXing decodes the QR codes with ZXing: they must give back the exact
// text, at error correction level M, and the text must verify.
func TestPNGZXing(t *testing.T) {
	_, pub := testKey(1)
	for name, text := range invitations(t) {
		for _, scale := range []int{2, 5} {
			b, err := PNG(text, scale)
			if err != nil {
				t.Fatal(err)
			}
			path := writeTemp(t, "invitation.png", b)
			if got := string(zxing(t, path)); got != text {
				t.Fatalf("%s, scale %d: ZXing read\n%q\nwant\n%q", name, scale, got, text)
			}
			if _, err := Verify(text, pub); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			report := string(peertest.Run(t, peertest.Need(t, "ZXingReader", "zxing-cpp-tools"), "-format", "QRCode", path))
			if !strings.Contains(report, "EC Level:   M\n") {
				t.Errorf("%s, scale %d: ZXing does not report level M:\n%s", name, scale, report)
			}
		}
	}
}

func TestPNGTooLong(t *testing.T) {
	inv := example()
	inv.Persons = nil
	for i := range MaxPersons {
		inv.Persons = append(inv.Persons, Person{ID: fmt.Sprintf("P.%062d", i), Doc: make([]byte, DocSize)})
	}
	_, err := PNG(mustSign(t, inv), 1)
	if err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("PNG of the largest invitation: %v, want a too-long error", err)
	}
}
