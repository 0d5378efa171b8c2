package invite

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"airbridge/pdfdoc"
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
// fonts are the standard Helvetica and Helvetica-Bold; characters outside
// Latin-1, but for "…", are shown as '?', and long values are set smaller to
// fit the page. PDF does not check that text is inv's signed form. Errors
// wrap ErrInvalid when inv is not valid.
func PDF(text string, inv Invitation) ([]byte, error) {
	if err := validate(inv); err != nil {
		return nil, fmt.Errorf("pdf: %w: %v", ErrInvalid, err)
	}
	qr, err := encodeQR(text)
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	p := new(pdfdoc.Page)
	p.Text(pdfdoc.HelveticaBold, 14, margin, pageH-margin-14, pageW-2*margin, "Call-forward invitation")
	y := pageH - margin - 40
	for _, row := range [][2]string{
		{"Operation", inv.Operation},
		{"Group", inv.Group},
		{"Gate", inv.Gate},
		{"Window", window(inv.Start, inv.End)},
		{"Persons", strconv.Itoa(len(inv.Persons))},
		{"Invitation", ID(text)},
	} {
		const width = pageW - margin - valueX
		size := pdfdoc.FitSize(pdfdoc.WinAnsi(row[1]), pdfdoc.Helvetica, 10, width) // so that Text does not cut it
		p.Text(pdfdoc.HelveticaBold, 9, margin, y, valueX-margin, row[0])
		p.Text(pdfdoc.Helvetica, size, valueX, y, width, row[1])
		y -= 15
	}

	// The QR code with its quiet zone fills the square under the text. The
	// rectangles, one per horizontal run of dark modules, are in module units
	// (whole hundredths of a point, as the content stream has them) and make
	// up one path filled once, so that no seams show between them.
	n := qr.Size()
	side := min(pageW-2*margin, y-margin)
	unit := math.Floor(side/float64(n+2*quiet)*100) / 100
	x0, y0 := (pageW-unit*float64(n+2*quiet))/2+quiet*unit, margin+quiet*unit
	fmt.Fprintf(p, "q 0 g %s 0 0 %s %s %s cm\n", pdfdoc.Num(unit), pdfdoc.Num(unit), pdfdoc.Num(x0), pdfdoc.Num(y0))
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
			fmt.Fprintf(p, "%d %d %d 1 re\n", col, n-1-row, run)
			col += run
		}
	}
	p.WriteString("f Q\n")
	return pdfdoc.File(pageW, pageH, p), nil
}

// window formats the window in UTC, with the date once when it is one day.
func window(start, end time.Time) string {
	start, end = start.UTC(), end.UTC()
	if start.Format(time.DateOnly) == end.Format(time.DateOnly) {
		return start.Format("2006-01-02 15:04") + " to " + end.Format("15:04") + " UTC"
	}
	return start.Format("2006-01-02 15:04") + " to " + end.Format("2006-01-02 15:04") + " UTC"
}
