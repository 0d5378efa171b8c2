package invite

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// The page: A6 portrait, in points.
const (
	pageW, pageH = 297.64, 419.53
	margin       = 20.0
	valueX       = 82.0 // where values start, right of the labels
)

// PDF returns an A6 page (a PDF 1.4 file) that shows inv and text as a QR
// code: the title "Call-forward invitation", the operation, group, gate,
// window in UTC, number of persons and invitation id, then the QR code drawn
// as filled rectangles, with its quiet zone, as wide as the page allows. The
// fonts are the standard Helvetica and Helvetica-Bold; characters they lack
// are shown as '?', and long values are set smaller to fit the page. PDF does
// not check that text is inv's signed form. Errors wrap ErrInvalid when inv
// is not valid.
func PDF(text string, inv Invitation) ([]byte, error) {
	if err := validate(inv); err != nil {
		return nil, fmt.Errorf("pdf: %w: %v", ErrInvalid, err)
	}
	qr, err := encodeQR(text)
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	var c bytes.Buffer // the content stream
	fmt.Fprintf(&c, "BT /F2 14 Tf %s %s Td %s Tj ET\n", num(margin), num(pageH-margin-14), pdfString("Call-forward invitation"))
	y := pageH - margin - 40
	for _, row := range [][2]string{
		{"Operation", inv.Operation},
		{"Group", inv.Group},
		{"Gate", inv.Gate},
		{"Window", window(inv.Start, inv.End)},
		{"Persons", strconv.Itoa(len(inv.Persons))},
		{"Invitation", ID(text)},
	} {
		size := min(10, (pageW-margin-valueX)/textWidth(row[1]))
		fmt.Fprintf(&c, "BT /F2 9 Tf %s %s Td %s Tj ET\n", num(margin), num(y), pdfString(row[0]))
		fmt.Fprintf(&c, "BT /F1 %s Tf %s %s Td %s Tj ET\n", num(size), num(valueX), num(y), pdfString(row[1]))
		y -= 15
	}

	// The QR code with its quiet zone fills the square under the text. The
	// rectangles, one per horizontal run of dark modules, are in module units
	// and make up one path filled once, so that no seams show between them.
	n := qr.Size()
	side := min(pageW-2*margin, y-margin)
	unit := side / float64(n+2*quiet)
	x0, y0 := (pageW-side)/2+quiet*unit, margin+quiet*unit
	fmt.Fprintf(&c, "q 0 g %s 0 0 %s %s %s cm\n", num(unit), num(unit), num(x0), num(y0))
	for row := range n {
		for col := 0; col < n; {
			if !qr.Module(col, row) {
				col++
				continue
			}
			run := 1
			for qr.Module(col+run, row) {
				run++
			}
			fmt.Fprintf(&c, "%d %d %d 1 re\n", col, n-1-row, run)
			col += run
		}
	}
	c.WriteString("f Q\n")
	return pdfFile(c.Bytes()), nil
}

// window formats the window in UTC, with the date once when it is one day.
func window(start, end time.Time) string {
	start, end = start.UTC(), end.UTC()
	if start.Format(time.DateOnly) == end.Format(time.DateOnly) {
		return start.Format("2006-01-02 15:04") + " to " + end.Format("15:04") + " UTC"
	}
	return start.Format("2006-01-02 15:04") + " to " + end.Format("2006-01-02 15:04") + " UTC"
}

// pdfFile returns a one-page PDF file of A6 size with the content stream and
// the fonts F1 (Helvetica) and F2 (Helvetica-Bold).
func pdfFile(content []byte) []byte {
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>", num(pageW), num(pageH)),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}
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

// num formats a length in points.
func num(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// pdfString returns s as a PDF literal string in WinAnsiEncoding: printable
// ASCII and Latin-1 as themselves, any other character as '?'.
func pdfString(s string) string {
	b := []byte{'('}
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b = append(b, '\\', byte(r))
		case r >= 0x20 && r < 0x7f || r >= 0xa0 && r <= 0xff:
			b = append(b, byte(r))
		default:
			b = append(b, '?')
		}
	}
	return string(append(b, ')'))
}

// textWidth returns the width of s in Helvetica at 1 point, an upper bound
// for characters outside printable ASCII.
func textWidth(s string) float64 {
	w := 0
	for _, r := range s {
		if r >= 0x20 && r < 0x7f {
			w += helvetica[r-0x20]
		} else {
			w += 1000
		}
	}
	return float64(w) / 1000
}

// helvetica holds the widths of the printable ASCII characters, from space
// to '~', in Helvetica (from its AFM file, in 1/1000 em; 0x27 is quotesingle
// in WinAnsiEncoding).
var helvetica = [95]int{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space to /
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 to ?
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ to O
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P to _
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` to o
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p to ~
}
