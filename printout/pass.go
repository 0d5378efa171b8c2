package printout

import (
	"fmt"
	"time"

	"airbridge/pdf417"
	"airbridge/pdfdoc"
)

// Pass is a boarding pass as printed.
type Pass struct {
	Operation, Name, FlightID, Callsign, Destination, Seat, Group string
	Slot                                                          time.Time // the departure slot
	Barcode                                                       string    // the BCBP text, printed as PDF417
}

// The pass's page: A5 landscape, in points, and its barcode's measures.
const (
	pMargin     = 28.0
	pWidth      = a4Short - 2*pMargin // of the text
	moduleWidth = 0.8                 // the PDF417 X dimension
	rowModules  = 3                   // a row's height, in modules
	quietZone   = 2                   // around the symbol, in modules
)

// PassPDF returns p as a PDF file of one A5 landscape page (half an A4
// sheet): the operation, then the name, flight id, callsign, destination,
// seat, group and slot in UTC in large type, each cut to fit its place, and
// under them the Barcode as a PDF417 symbol drawn with vector rectangles,
// modules 0.8 pt wide, rows 3 modules high, in a quiet zone of 2 modules.
//
// The error wraps ErrInvalid when the Barcode is empty, and is the encoder's
// when the Barcode does not make a PDF417 symbol that fits under the text.
func PassPDF(p Pass) ([]byte, error) {
	if p.Barcode == "" {
		return nil, fmt.Errorf("pass: %w: no barcode", ErrInvalid)
	}
	sym, err := pdf417.Encode([]byte(p.Barcode), pdf417.Options{})
	if err != nil {
		return nil, fmt.Errorf("pass: %w", err)
	}

	c := new(pdfdoc.Page)
	y := a5Short - pMargin - 11
	c.Text(pdfdoc.HelveticaBold, 11, pMargin, y, pWidth/2, "BOARDING PASS")
	c.TextRight(pdfdoc.Helvetica, 11, a4Short-pMargin, y, pWidth/2-10, p.Operation)
	c.Rect(pMargin, y-8, pWidth, 0.75, 0)
	y -= 22
	// Fields in three columns, their left edges at these points from the
	// margin, set 10 points apart.
	edges := [...]float64{0, 110, 320, pWidth + 10}
	field := func(col, cols int, size float64, label, value string) {
		x, w := pMargin+edges[col], edges[col+cols]-edges[col]-10
		c.Text(pdfdoc.HelveticaBold, 8, x, y, w, label)
		c.Text(pdfdoc.HelveticaBold, size, x, y-size-2, w, value)
	}
	field(0, 3, 26, "Passenger", p.Name)
	y -= 48
	field(0, 1, 20, "Flight", p.FlightID)
	field(1, 1, 20, "Callsign", p.Callsign)
	field(2, 1, 20, "Destination", p.Destination)
	y -= 40
	field(0, 1, 20, "Seat", p.Seat)
	field(1, 1, 20, "Group", p.Group)
	field(2, 1, 20, "Slot", utc(p.Slot))
	top := y - 20 - 16 // under the last values, with a gap

	// The symbol, centred under the text, is in module units: one path of
	// rectangles, one per horizontal run of dark modules, filled once so
	// that no seams show between them.
	w, h := float64(sym.Width+2*quietZone)*moduleWidth, float64(rowModules*sym.Rows+2*quietZone)*moduleWidth
	if w > pWidth || h > top-pMargin {
		return nil, fmt.Errorf("pass: a PDF417 symbol of %d by %d modules does not fit in %s by %s points", sym.Width, sym.Rows*rowModules, pdfdoc.Num(pWidth), pdfdoc.Num(top-pMargin))
	}
	x0 := (a4Short-w)/2 + quietZone*moduleWidth
	y0 := top - h + quietZone*moduleWidth
	fmt.Fprintf(c, "q %s 0 0 %s %s %s cm\n", pdfdoc.Num(moduleWidth), pdfdoc.Num(moduleWidth), pdfdoc.Num(x0), pdfdoc.Num(y0))
	for row := range sym.Rows {
		for x := 0; x < sym.Width; {
			if !sym.Module(x, row) {
				x++
				continue
			}
			run := 1
			for sym.Module(x+run, row) {
				run++
			}
			fmt.Fprintf(c, "%d %d %d %d re\n", x, (sym.Rows-1-row)*rowModules, run, rowModules)
			x += run
		}
	}
	c.WriteString("f Q\n")
	return pdfdoc.File(a4Short, a5Short, c), nil
}
