package invite

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	goqr "github.com/piglig/go-qr"
)

const (
	quiet    = 4  // modules of light margin around a QR code
	maxScale = 32 // pixels a module, at most
)

// encodeQR returns text as a QR code: one byte-mode segment, error
// correction level M (not raised), the smallest version that fits. Version
// 40 holds 2331 bytes: an invitation of 86 persons with 13-character ids and
// documents, and of 22 persons whatever their ids.
func encodeQR(text string) (*goqr.QrCode, error) {
	seg, err := goqr.MakeBytes([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	qr, err := goqr.EncodeSegments([]*goqr.QrSegment{seg}, goqr.Medium, goqr.MinVersion, goqr.MaxVersion, -1, false)
	if err != nil {
		return nil, fmt.Errorf("qr code of %d bytes: %w", len(text), err)
	}
	return qr, nil
}

// PNG returns text as a QR code (byte mode, error correction level M, a
// 4-module quiet zone) in a 1-bit black and white PNG of scale pixels a module
// (1 to 32). It fails when text is longer than a QR code holds: 2331 bytes.
func PNG(text string, scale int) ([]byte, error) {
	if scale < 1 || scale > maxScale {
		return nil, fmt.Errorf("png: scale %d, must be 1 to %d", scale, maxScale)
	}
	qr, err := encodeQR(text)
	if err != nil {
		return nil, fmt.Errorf("png: %w", err)
	}
	side := (qr.Size() + 2*quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.Gray{0xff}, color.Gray{0}})
	for y := range side {
		for x := range side {
			if qr.Module(x/scale-quiet, y/scale-quiet) { // false outside the symbol
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("png: %w", err)
	}
	return b.Bytes(), nil
}
