// Package pdfdoc writes small PDF 1.4 files by hand: pages of one size that
// draw text in the standard fonts Helvetica and Helvetica-Bold, in
// WinAnsiEncoding, and filled rectangles, with room for any other content
// operators.
//
// Text is converted to WinAnsiEncoding: printable ASCII, Latin-1 and "…" are
// themselves, any other character is '?'. Text drawn in a given width is cut
// to fit it and ends with "…".
package pdfdoc

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// Font is a font resource of every page.
type Font int

const (
	Helvetica     Font = 1 // the resource F1
	HelveticaBold Font = 2 // the resource F2
)

// Ellipsis is "…" in WinAnsiEncoding.
const Ellipsis = 0x85

// Page is the content stream of a page being drawn. The zero Page is empty.
type Page struct{ b bytes.Buffer }

// Write appends raw content operators to p, as they are; the caller keeps
// the graphics state balanced (every q has its Q). It never fails.
func (p *Page) Write(b []byte) (int, error) { return p.b.Write(b) }

// WriteString is Write of a string.
func (p *Page) WriteString(s string) (int, error) { return p.b.WriteString(s) }

// Text draws s in font f of the given size with its baseline starting at
// x, y, cut to at most width points wide as Fit cuts.
func (p *Page) Text(f Font, size, x, y, width float64, s string) {
	t := Fit(WinAnsi(s), f, size, width)
	fmt.Fprintf(&p.b, "BT /F%d %s Tf %s %s Td %s Tj ET\n", f, Num(size), Num(x), Num(y), Literal(t))
}

// TextRight is Text with the baseline ending at x.
func (p *Page) TextRight(f Font, size, x, y, width float64, s string) {
	t := Fit(WinAnsi(s), f, size, width)
	fmt.Fprintf(&p.b, "BT /F%d %s Tf %s %s Td %s Tj ET\n", f, Num(size), Num(x-size*TextWidth(t, f)), Num(y), Literal(t))
}

// Rect fills a rectangle with its lower left corner at x, y in the gray
// level g, 0 black to 1 white, and leaves the fill black.
func (p *Page) Rect(x, y, w, h, g float64) {
	fmt.Fprintf(&p.b, "%s g %s %s %s %s re f 0 g\n", Num(g), Num(x), Num(y), Num(w), Num(h))
}

// File returns a PDF file whose pages, all w by h points, have the given
// content streams, in order, and the fonts F1 (Helvetica) and F2
// (Helvetica-Bold).
func File(w, h float64, pages ...*Page) []byte {
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"", // the page tree, below
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
	}
	var kids []byte
	for _, p := range pages {
		n := len(objects) + 1 // the page; its content is n+1
		kids = fmt.Appendf(kids, "%d 0 R ", n)
		objects = append(objects,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>", Num(w), Num(h), n+1),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", p.b.Len(), p.b.Bytes()))
	}
	objects[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", bytes.TrimSpace(kids), len(pages))

	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n") // the second line marks the file binary
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off) // 20 bytes an entry
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// Num formats a number for a content stream, to a hundredth: a length in
// points, a font size, a gray level.
func Num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
