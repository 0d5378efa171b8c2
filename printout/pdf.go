// Package printout renders documents meant for paper as PDF files: a
// flight's passenger manifest, the fallback when systems fail, and boarding
// passes with their PDF417 barcode.
//
// The files are PDF 1.4 written by hand: the standard fonts Helvetica and
// Helvetica-Bold in WinAnsiEncoding, text and vector rectangles only.
// Characters outside Latin-1, but for "…", are shown as '?', and text too
// long for its place is cut to fit and ends with "…".
package printout

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// ErrInvalid is wrapped by the errors for documents that cannot be printed.
var ErrInvalid = errors.New("printout: invalid document")

// Page sizes in points.
const (
	a4Short, a4Long = 595.28, 841.89 // A4, 210 by 297 mm
	a5Short         = 419.53         // A5 is 148 by 210 mm: a5Short by a4Short
)

// font is a font resource of every page: F1 or F2.
type font int

const (
	regular font = 1 // Helvetica
	bold    font = 2 // Helvetica-Bold
)

// ellipsis is "…" in WinAnsiEncoding.
const ellipsis = 0x85

// page is the content stream of a page being drawn.
type page struct{ bytes.Buffer }

// text draws s in font f of the given size with its baseline starting at
// x, y. s is cut to at most width points wide.
func (p *page) text(f font, size, x, y, width float64, s string) {
	t := fit(winAnsi(s), f, size, width)
	fmt.Fprintf(p, "BT /F%d %s Tf %s %s Td %s Tj ET\n", f, num(size), num(x), num(y), literal(t))
}

// textRight is text with the baseline ending at x.
func (p *page) textRight(f font, size, x, y, width float64, s string) {
	t := fit(winAnsi(s), f, size, width)
	fmt.Fprintf(p, "BT /F%d %s Tf %s %s Td %s Tj ET\n", f, num(size), num(x-size*textWidth(t, f)), num(y), literal(t))
}

// rect fills a rectangle in the gray level g, 0 black to 1 white.
func (p *page) rect(x, y, w, h, g float64) {
	fmt.Fprintf(p, "%s g %s %s %s %s re f 0 g\n", num(g), num(x), num(y), num(w), num(h))
}

// pdfFile returns a PDF file whose pages, all w by h points, have the given
// content streams and the fonts F1 (Helvetica) and F2 (Helvetica-Bold).
func pdfFile(w, h float64, pages []*page) []byte {
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
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>", num(w), num(h), n+1),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", p.Len(), p.Bytes()))
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

// num formats a length in points, to a hundredth.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// utc formats t as a UTC minute, or "not set" for the zero time.
func utc(t time.Time) string {
	if t.IsZero() {
		return "not set"
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}

// winAnsi returns s in WinAnsiEncoding: printable ASCII, Latin-1 and "…"
// as themselves, any other character as '?'.
func winAnsi(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7f || r >= 0xa0 && r <= 0xff:
			b = append(b, byte(r))
		case r == '…':
			b = append(b, ellipsis)
		default:
			b = append(b, '?')
		}
	}
	return b
}

// literal returns WinAnsi text as a PDF literal string.
func literal(t []byte) string {
	b := []byte{'('}
	for _, c := range t {
		if c == '(' || c == ')' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	return string(append(b, ')'))
}

// fit returns WinAnsi text t unchanged when it is at most width points wide
// in font f of the given size, else its longest prefix that fits with "…"
// appended. Nothing fits in a width narrower than "…".
func fit(t []byte, f font, size, width float64) []byte {
	if size*textWidth(t, f) <= width {
		return t
	}
	limit := width/size - glyphWidth(ellipsis, f)
	if limit < 0 {
		return nil
	}
	w, n := 0.0, 0
	for ; n < len(t); n++ {
		w += glyphWidth(t[n], f)
		if w > limit {
			break
		}
	}
	return append(t[:n:n], ellipsis)
}

// textWidth returns the width of WinAnsi text t in font f at 1 point.
func textWidth(t []byte, f font) float64 {
	w := 0.0
	for _, c := range t {
		w += glyphWidth(c, f)
	}
	return w
}

// glyphWidth returns the width of WinAnsi code c in font f at 1 point: from
// the fonts' AFM files for printable ASCII, Latin-1 and "…", and 1 em, an
// upper bound, for the codes this package does not write.
func glyphWidth(c byte, f font) float64 {
	var w int
	switch {
	case c >= 0x20 && c < 0x7f:
		w = ascii[f-1][c-0x20]
	case c >= 0xa0:
		w = latin1[f-1][c-0xa0]
	default:
		w = 1000 // ellipsis is 1000 in both fonts
	}
	return float64(w) / 1000
}

// ascii holds the widths of the printable ASCII characters, from space to
// '~', in Helvetica and Helvetica-Bold (in 1/1000 em; 0x27 is quotesingle
// in WinAnsiEncoding).
var ascii = [2][95]int{{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space to /
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 to ?
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ to O
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P to _
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` to o
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p to ~
}, {
	278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
	975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
	333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
	611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
}}

// latin1 holds the widths of the characters 0xa0 to 0xff in Helvetica and
// Helvetica-Bold.
var latin1 = [2][96]int{{
	278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // nbsp to macron
	400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // degree to questiondown
	667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // Agrave to Idieresis
	722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // Eth to germandbls
	556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // agrave to idieresis
	556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // eth to ydieresis
}, {
	278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
	400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
	722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
	722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
	556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
	611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
}}
