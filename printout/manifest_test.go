package printout

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"airbridge/pdfdoc/pdfdoctest"
	"airbridge/peertest"
)

// exampleManifest returns a manifest of n passengers.
func exampleManifest(n int) Manifest {
	m := Manifest{
		Operation:   "Allies Refuge",
		FlightID:    "AB123",
		Callsign:    "RCH871",
		Operator:    "Royal Air Force",
		Aircraft:    "C-17A Globemaster III",
		Destination: "Al Udeid (OTBH)",
		Slot:        time.Date(2021, 8, 20, 16, 30, 0, 0, time.FixedZone("AFT", 4*3600+1800)),
		Seats:       150,
		Printed:     time.Date(2021, 8, 20, 11, 5, 0, 0, time.UTC),
	}
	surnames := []string{"AHMADI", "KARIMI", "RAHIMI", "NOORI", "HAIDARI"}
	categories := []string{"adult", "adult", "child", "adult", "infant"}
	stages := []string{"boarded", "checked-in", "boarded"}
	for i := range n {
		m.Passengers = append(m.Passengers, Passenger{
			Seat:        fmt.Sprintf("%d%c", i/6+1, 'A'+i%6),
			Surname:     fmt.Sprintf("%s%03d", surnames[i%len(surnames)], i+1),
			GivenNames:  "Farid Ahmad",
			Group:       fmt.Sprintf("G%04d", i/4),
			Category:    categories[i%len(categories)],
			Nationality: "AFG",
			Document:    fmt.Sprintf("P%07d", 1000000+i),
			Stage:       stages[i%len(stages)],
		})
	}
	return m
}

func TestManifestStructure(t *testing.T) {
	for _, n := range []int{0, 1, 52, 120} {
		b, err := ManifestPDF(exampleManifest(n))
		if err != nil {
			t.Fatal(err)
		}
		streams := pdfdoctest.Streams(t, b)
		pages := 1 + (n+51)/52 - min(n, 1) // 52 rows a page; 52 leave no room for the totals
		if n == 52 {
			pages = 2
		}
		if len(streams) != pages || !strings.Contains(string(b), fmt.Sprintf("/Count %d >>", pages)) {
			t.Errorf("%d passengers: %d pages, want %d", n, len(streams), pages)
		}
		for i, s := range streams {
			for _, want := range []string{"(Passenger manifest AB123 \\(RCH871\\)) Tj", fmt.Sprintf("(page %d of %d) Tj", i+1, pages)} {
				if !strings.Contains(string(s), want) {
					t.Errorf("%d passengers: page %d has no %q", n, i+1, want)
				}
			}
		}
	}
}

func TestManifestErrors(t *testing.T) {
	for name, change := range map[string]func(m *Manifest){
		"no flight id":   func(m *Manifest) { m.FlightID = " " },
		"no print time":  func(m *Manifest) { m.Printed = time.Time{} },
		"negative seats": func(m *Manifest) { m.Seats = -1 },
	} {
		m := exampleManifest(2)
		change(&m)
		if _, err := ManifestPDF(m); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v, want ErrInvalid", name, err)
		}
	}
}

// TestManifestPeers reads manifests with poppler: the page count and size,
// the text of each page as laid out, and where each word of the table lies.
func TestManifestPeers(t *testing.T) {
	pdfinfo := peertest.Need(t, "pdfinfo", "poppler-utils")
	pdftotext := peertest.Need(t, "pdftotext", "poppler-utils")
	header := []string{
		`Passenger manifest AB123 \(RCH871\)`,
		`Operation +Allies Refuge +Destination +Al Udeid \(OTBH\)`,
		`Flight +AB123 RCH871 +Slot +2021-08-20 12:00 UTC`,
		`Operator +Royal Air Force +Printed +2021-08-20 11:05 UTC`,
		`Aircraft +C-17A Globemaster III +Seats +150`,
		`No\. +Seat +Surname +Given names +Group +Category +Nationality +Document +Stage`,
	}
	for _, tt := range []struct {
		n     int
		pages []string // regular expressions each page matches, in order
	}{
		{0, []string{`No passengers on this manifest\.`}},
		{120, []string{
			`(?s)\n +1 +1A +AHMADI001 +Farid Ahmad +G0000 +adult +AFG +P1000000 +boarded\n.*\n +52 +9D +KARIMI052 `,
			`(?s)\n +53 +9E +RAHIMI053 .*\n +104 +18B +NOORI104 `,
			`(?s)\n +120 +20F +HAIDARI120 +Farid Ahmad +G0029 +infant +AFG +P1000119 +boarded\n.*` +
				`\nPassengers +120\nBy category +adult 72, child 24, infant 24\nBy stage +boarded 80, checked-in 40\nSeats +150\n`,
		}},
		{52, []string{`\n +52 +9D +KARIMI052 `, `\nPassengers +52\n`}},
	} {
		path := pdfdoctest.Write(t, must(ManifestPDF(exampleManifest(tt.n))))
		info := string(peertest.Run(t, pdfinfo, path))
		for _, want := range []string{fmt.Sprintf("Pages:           %d\n", len(tt.pages)), "Page size:       595.28 x 841.89 pts (A4)\n", "PDF version:     1.4\n"} {
			if !strings.Contains(info, want) {
				t.Errorf("%d passengers: pdfinfo has no %q:\n%s", tt.n, want, info)
			}
		}
		text := strings.Split(string(peertest.Run(t, pdftotext, "-layout", path, "-")), "\f")
		for i, p := range tt.pages {
			head := header
			if tt.n == 0 || i == len(tt.pages)-1 && tt.n == 52 {
				head = header[:5] // no table
			}
			for _, re := range append(head, p, fmt.Sprintf(`page %d of %d\n`, i+1, len(tt.pages))) {
				if !regexp.MustCompile(re).MatchString(text[i]) {
					t.Errorf("%d passengers: page %d has no %q:\n%s", tt.n, i+1, re, text[i])
				}
			}
			if last := i == len(tt.pages)-1; strings.Contains(text[i], "\nPassengers ") != last {
				t.Errorf("%d passengers: page %d of %d has totals: %t, want %t", tt.n, i+1, len(tt.pages), !last, last)
			}
		}
	}
}

// TestManifestCells prints cells too long for their columns, and characters
// beyond ASCII: they are cut with "…" and no word crosses into the next
// column.
func TestManifestCells(t *testing.T) {
	pdftotext := peertest.Need(t, "pdftotext", "poppler-utils")
	m := exampleManifest(3)
	m.Operation = strings.Repeat("W", 80)
	m.Passengers[0] = Passenger{
		Seat: "12345678", Surname: "WOLFESCHLEGELSTEINHAUSENBERGERDORFF", GivenNames: "Zoë Ánh (Ly) \\ 阮 Hubert Blaine",
		Group: "GROUP-WITH-A-LONG-NAME", Category: "unaccompanied minor", Nationality: "AFGHANISTAN",
		Document: "P123456789012345678", Stage: "awaiting-security",
	}
	path := pdfdoctest.Write(t, must(ManifestPDF(m)))
	text := string(peertest.Run(t, pdftotext, "-layout", path, "-"))
	for _, re := range []string{
		`Operation +W+… +Destination`,
		`\n +1 +123… +WOLFESCHLEGELS… +Zoë Ánh \(Ly\) \\ \? Hubert … +GROUP-WI… +unaccomp… +AFGHAN… +P12345678901… +awaiting-s…\n`,
		`\nBy category +adult 1, child 1, unaccompanied minor 1\n`,
	} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("pdftotext has no %q:\n%s", re, text)
		}
	}

	var edges []float64
	x := mMargin
	for _, c := range columns {
		x += c.width
		edges = append(edges, x)
	}
	tableTop := a4Long - (a4Long - mMargin - 110) // from the top, as pdftotext measures
	cells := 0
	for _, w := range words(t, path)[0] {
		if mid := (w.yMin + w.yMax) / 2; mid < tableTop || mid > tableTop+float64(len(m.Passengers)+1)*rowHeight {
			continue
		}
		cells++
		for i, e := range edges {
			if w.xMin < e && w.xMax > e-cellPad+0.01 {
				t.Errorf("%q, from %g to %g, crosses the edge of column %d at %g", w.text, w.xMin, w.xMax, i, e)
			}
		}
	}
	if cells < 4*len(columns) {
		t.Errorf("%d words in the table, want at least %d", cells, 4*len(columns))
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
