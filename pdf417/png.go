package pdf417

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
)

// Image renders the symbol: each module moduleWidth pixels wide, each row
// rowHeight pixels high, with a light quiet zone of quiet modules
// (quiet*moduleWidth pixels) on every side. Dark modules are palette index 1.
func (s *Symbol) Image(moduleWidth, rowHeight, quiet int) (*image.Paletted, error) {
	if moduleWidth < 1 || rowHeight < 1 || quiet < 0 {
		return nil, fmt.Errorf("pdf417: invalid rendering %d×%d px, quiet zone %d", moduleWidth, rowHeight, quiet)
	}
	q := quiet * moduleWidth
	w := s.Width*moduleWidth + 2*q
	h := s.Rows*rowHeight + 2*q
	if w > 1<<15 || h > 1<<15 {
		return nil, fmt.Errorf("pdf417: image %d×%d px too large", w, h)
	}
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Gray{Y: 0xff}, color.Gray{Y: 0}})
	for y, row := range s.modules {
		line := img.Pix[(q+y*rowHeight)*img.Stride:]
		for x, dark := range row {
			if dark {
				for i := range moduleWidth {
					line[q+x*moduleWidth+i] = 1
				}
			}
		}
		for i := 1; i < rowHeight; i++ {
			copy(img.Pix[(q+y*rowHeight+i)*img.Stride:][:w], line[:w])
		}
	}
	return img, nil
}

// PNG renders the symbol as a 1-bit PNG; see Image for the arguments. The
// usual choice is a row height of three module widths and a quiet zone of
// two modules.
func (s *Symbol) PNG(moduleWidth, rowHeight, quiet int) ([]byte, error) {
	img, err := s.Image(moduleWidth, rowHeight, quiet)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("pdf417: %w", err)
	}
	return buf.Bytes(), nil
}
