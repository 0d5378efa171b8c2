package printout

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"airbridge/pdfdoc"
)

// Manifest is a flight's passenger manifest as printed: the paper fallback
// when systems fail.
type Manifest struct {
	Operation, FlightID, Callsign, Operator, Aircraft, Destination string
	Slot                                                           time.Time // the departure slot
	Seats                                                          int       // the seats on the aircraft
	Printed                                                        time.Time // when the manifest was printed
	Passengers                                                     []Passenger
}

// Passenger is one line of a manifest.
type Passenger struct {
	Seat, Surname, GivenNames, Group, Category, Nationality, Document, Stage string
}

// The manifest's page: A4 portrait, in points.
const (
	mMargin    = 36.0
	mWidth     = a4Short - 2*mMargin // of the text
	cellSize   = 8.0                 // font size in the table
	rowHeight  = 12.0
	cellPad    = 2.5 // between a cell's text and its column's edges
	totalsSize = 10.0
	totalsLead = 14.0
	totalsGap  = 12.0                   // above the totals
	tableLimit = mMargin + 2*totalsSize // the lowest a table row reaches, above "page N of M"
)

// columns are the columns of the manifest's table, left to right.
var columns = []struct {
	title string
	width float64
	value func(p Passenger) string
}{
	{"No.", 24, nil}, // the passenger's number, from 1
	{"Seat", 30, func(p Passenger) string { return p.Seat }},
	{"Surname", 90, func(p Passenger) string { return p.Surname }},
	{"Given names", 100, func(p Passenger) string { return p.GivenNames }},
	{"Group", 58, func(p Passenger) string { return p.Group }},
	{"Category", 50, func(p Passenger) string { return p.Category }},
	{"Nationality", 48, func(p Passenger) string { return p.Nationality }},
	{"Document", 70, func(p Passenger) string { return p.Document }},
	{"Stage", mWidth - 470, func(p Passenger) string { return p.Stage }},
}

// ManifestPDF returns m as an A4 portrait PDF file. Every page has a header
// (operation, flight id and callsign, operator, aircraft, destination, slot
// and printed time in UTC) and "page N of M" at its foot. A table of the
// passengers in the order given (No., seat, surname, given names, group,
// category, nationality, document, stage) fills as many pages as it needs,
// and the last page has the totals: passengers, passengers by category and
// by stage (most first), and seats. A manifest without passengers is one
// page that says so, with its totals.
//
// The error wraps ErrInvalid when m has no flight id, no printed time or a
// negative number of seats.
func ManifestPDF(m Manifest) ([]byte, error) {
	switch {
	case strings.TrimSpace(m.FlightID) == "":
		return nil, fmt.Errorf("manifest: %w: no flight id", ErrInvalid)
	case m.Printed.IsZero():
		return nil, fmt.Errorf("manifest: %w: no printed time", ErrInvalid)
	case m.Seats < 0:
		return nil, fmt.Errorf("manifest: %w: %d seats", ErrInvalid, m.Seats)
	}

	// Every page has the header down to top, table rows from there down to
	// tableLimit; the totals take the same room below the last row.
	top := a4Long - mMargin - 110
	perPage := int((top - rowHeight - tableLimit) / rowHeight) // rows under the column titles
	totals := totalsLines(m)
	totalsRoom := int((top - totalsGap - mMargin) / totalsLead)
	if len(totals) > totalsRoom { // hundreds of categories or stages
		totals = totals[:totalsRoom]
		totals[totalsRoom-1] = [2]string{"", "…"}
	}
	totalsHeight := totalsGap + float64(len(totals))*totalsLead

	// Each page holds passengers [from, to).
	type span struct{ from, to int }
	var spans []span
	for from := 0; from < len(m.Passengers); from += perPage {
		spans = append(spans, span{from, min(from+perPage, len(m.Passengers))})
	}
	if len(spans) == 0 {
		spans = append(spans, span{}) // the page that says there are no passengers
	} else if last := spans[len(spans)-1]; top-float64(last.to-last.from+1)*rowHeight-totalsHeight < mMargin {
		spans = append(spans, span{len(m.Passengers), len(m.Passengers)}) // the totals alone
	}

	pages := make([]*pdfdoc.Page, len(spans))
	for i, s := range spans {
		p := new(pdfdoc.Page)
		pages[i] = p
		manifestHeader(p, m)
		p.TextRight(pdfdoc.Helvetica, 9, a4Short-mMargin, mMargin, mWidth, fmt.Sprintf("page %d of %d", i+1, len(spans)))
		y := top
		switch {
		case len(m.Passengers) == 0:
			y -= 14
			p.Text(pdfdoc.HelveticaBold, 12, mMargin, y, mWidth, "No passengers on this manifest.")
		case s.to > s.from:
			y = table(p, m.Passengers, s.from, s.to, y)
		}
		if i == len(spans)-1 {
			y -= totalsGap
			for _, line := range totals {
				y -= totalsLead
				p.Text(pdfdoc.HelveticaBold, totalsSize, mMargin, y, 90, line[0])
				p.Text(pdfdoc.Helvetica, totalsSize, mMargin+95, y, mWidth-95, line[1])
			}
		}
	}
	return pdfdoc.File(a4Short, a4Long, pages...), nil
}

// manifestHeader draws the page header of m: the title, then two columns of
// labelled fields, then a rule.
func manifestHeader(p *pdfdoc.Page, m Manifest) {
	y := a4Long - mMargin - 16
	title := "Passenger manifest " + m.FlightID
	if m.Callsign != "" {
		title += " (" + m.Callsign + ")"
	}
	p.Text(pdfdoc.HelveticaBold, 16, mMargin, y, mWidth, title)
	fields := [][2]string{
		{"Operation", m.Operation}, {"Destination", m.Destination},
		{"Flight", strings.TrimSpace(m.FlightID + " " + m.Callsign)}, {"Slot", utc(m.Slot)},
		{"Operator", m.Operator}, {"Printed", utc(m.Printed)},
		{"Aircraft", m.Aircraft}, {"Seats", strconv.Itoa(m.Seats)},
	}
	const half, label = mWidth / 2, 62.0
	for i, f := range fields {
		if i%2 == 0 {
			y -= 16
		}
		x := mMargin + float64(i%2)*half
		p.Text(pdfdoc.HelveticaBold, 10, x, y, label, f[0])
		p.Text(pdfdoc.Helvetica, 10, x+label, y, half-label-8, f[1])
	}
	p.Rect(mMargin, y-10, mWidth, 0.75, 0)
}

// table draws the column titles at top, then passengers from to to, one row
// each, and returns the bottom of the last row.
func table(p *pdfdoc.Page, passengers []Passenger, from, to int, top float64) float64 {
	row := func(y float64, f pdfdoc.Font, cell func(c int) string) {
		x := mMargin
		for c, col := range columns {
			text := cell(c)
			if col.value == nil { // the number, to the right
				p.TextRight(f, cellSize, x+col.width-cellPad, y+3.5, col.width-2*cellPad, text)
			} else {
				p.Text(f, cellSize, x+cellPad, y+3.5, col.width-2*cellPad, text)
			}
			x += col.width
		}
	}
	y := top - rowHeight
	row(y, pdfdoc.HelveticaBold, func(c int) string { return columns[c].title })
	p.Rect(mMargin, y, mWidth, 0.5, 0)
	for i := from; i < to; i++ {
		y -= rowHeight
		if i%2 == 1 {
			p.Rect(mMargin, y, mWidth, rowHeight, 0.9)
		}
		row(y, pdfdoc.Helvetica, func(c int) string {
			if columns[c].value == nil {
				return strconv.Itoa(i + 1)
			}
			return columns[c].value(passengers[i])
		})
	}
	return y
}

// totalsLines returns the totals of m as lines of a label and a text.
func totalsLines(m Manifest) [][2]string {
	lines := [][2]string{{"Passengers", strconv.Itoa(len(m.Passengers))}}
	for _, by := range []struct {
		label string
		key   func(p Passenger) string
	}{
		{"By category", func(p Passenger) string { return p.Category }},
		{"By stage", func(p Passenger) string { return p.Stage }},
	} {
		counts := map[string]int{}
		for _, p := range m.Passengers {
			k := strings.TrimSpace(by.key(p))
			if k == "" {
				k = "(none)"
			}
			counts[k]++
		}
		keys := slices.SortedFunc(maps.Keys(counts), func(a, b string) int { return cmp.Or(counts[b]-counts[a], strings.Compare(a, b)) })
		items := make([]string, len(keys))
		for i, k := range keys {
			items[i] = k + " " + strconv.Itoa(counts[k])
		}
		if len(items) == 0 {
			items = []string{"none"}
		}
		for i, line := range wrap(items, pdfdoc.Helvetica, totalsSize, mWidth-95) {
			label := ""
			if i == 0 {
				label = by.label
			}
			lines = append(lines, [2]string{label, line})
		}
	}
	return append(lines, [2]string{"Seats", strconv.Itoa(m.Seats)})
}

// wrap joins items with ", " into lines at most width points wide in font f
// of the given size, breaking only between items; an item too wide for a
// line has one to itself and is cut when drawn.
func wrap(items []string, f pdfdoc.Font, size, width float64) []string {
	var lines []string
	line := ""
	for i, item := range items {
		if i < len(items)-1 {
			item += ","
		}
		switch {
		case line == "":
			line = item
		case size*pdfdoc.TextWidth(pdfdoc.WinAnsi(line+" "+item), f) <= width:
			line += " " + item
		default:
			lines = append(lines, line)
			line = item
		}
	}
	return append(lines, line)
}
