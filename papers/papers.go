// Package papers writes a flight's papers from the ledger's records: its
// manifest for border authorities (PAXLST), for people (CSV, XLSX) and for
// paper (PDF), and its passengers' boarding passes (IATA BCBP, as PDF417,
// QR or a printable page). Names are written in Latin letters; a name
// without one is refused, never sent blank.
package papers

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"airbridge"
	"airbridge/bcbp"
	"airbridge/csvsafe"
	"airbridge/invite"
	"airbridge/paxlst"
	"airbridge/pdf417"
	"airbridge/printout"
	"airbridge/translit"
)

// Formats are the manifest formats Manifest writes.
var Formats = []string{"paxlst", "csv", "xlsx", "pdf"}

// ContentType is each manifest format's media type.
var ContentType = map[string]string{"paxlst": "application/edifact", "csv": "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}

// Manifest writes v's manifest in format, its passengers by seat. Returns
// an error naming the format if it is not one of Formats, and nothing is
// written when the manifest cannot be (a passenger PAXLST cannot name).
func Manifest(w io.Writer, format string, p *airbridge.Policy, v *airbridge.FlightView, now time.Time) error {
	write, ok := writers[format]
	if !ok {
		return fmt.Errorf("format %q: give paxlst, csv, xlsx or pdf", format)
	}
	slices.SortFunc(v.Manifest, func(a, b airbridge.Person) int { return seatOrder(a.Seat, b.Seat) })
	return write(w, p, v, now)
}

// Pass returns the boarding pass of p on v in format: "text" (the BCBP
// string), "png" (its PDF417 barcode), "qr" (it as a QR code, PNG) or
// "pdf" (a printable page).
func Pass(format string, policy *airbridge.Policy, p *airbridge.Person, v *airbridge.FlightView) ([]byte, error) {
	text, err := PassText(p, v)
	if err != nil {
		return nil, err
	}
	switch format {
	case "text":
		return []byte(text + "\n"), nil
	case "png":
		sym, err := pdf417.Encode([]byte(text), pdf417.Options{})
		if err != nil {
			return nil, err
		}
		return sym.PNG(2, 6, 2)
	case "qr":
		return invite.PNG(text, 4) // the invitations' QR renderer, level M
	case "pdf":
		return PassPDF(policy, p, v, text)
	}
	return nil, fmt.Errorf("format %q: give text, png, qr or pdf", format)
}

// seatOrder orders seats 1, 2, … 10, then litter positions L1, L2, ….
func seatOrder(a, b string) int {
	key := func(s string) (bool, int) {
		n := 0
		fmt.Sscan(strings.TrimPrefix(s, "L"), &n)
		return strings.HasPrefix(s, "L"), n
	}
	la, na := key(a)
	lb, nb := key(b)
	switch {
	case la != lb && la:
		return 1
	case la != lb:
		return -1
	}
	return na - nb
}

type writer func(w io.Writer, p *airbridge.Policy, v *airbridge.FlightView, now time.Time) error

var writers = map[string]writer{"paxlst": writePAXLST, "csv": writeManifestCSV, "xlsx": writeManifestXLSX, "pdf": writeManifestPDF}

var manifestHeader = []string{"seat", "person_id", "group_id", "surname", "given_names", "birth_date", "sex", "nationality", "category",
	"document_type", "document_number", "issuing_state", "document_expiry", "stage"}

func manifestRows(v *airbridge.FlightView) [][]string {
	rows := make([][]string, 0, len(v.Manifest))
	for _, p := range v.Manifest {
		var d airbridge.Document
		if len(p.Documents) > 0 {
			d = p.Documents[0]
		}
		rows = append(rows, []string{p.Seat, p.ID, p.GroupID, p.Surname, p.GivenNames, p.BirthDate, p.Sex, p.Nationality, p.Category,
			d.Type, d.Number, d.IssuingState, d.Expiry, string(p.Stage)})
	}
	return rows
}

func writeManifestCSV(w io.Writer, _ *airbridge.Policy, v *airbridge.FlightView, _ time.Time) error {
	cw := csvsafe.NewWriter(w) // names come from outside
	cw.Write(manifestHeader)
	cw.WriteAll(manifestRows(v))
	return cw.Error()
}

func writeManifestXLSX(w io.Writer, _ *airbridge.Policy, v *airbridge.FlightView, _ time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Manifest " + v.Flight.ID
	if len(sheet) > 31 {
		sheet = sheet[:31]
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	for i, row := range append([][]string{manifestHeader}, manifestRows(v)...) {
		cells := make([]any, len(row))
		for j, c := range row {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// unoa writes s in the UNOA character set of EDIFACT: diacritics dropped,
// letters without one spelled out, upper case, anything else a space, and
// spaces collapsed. A name in another script comes out empty: the caller
// must refuse it rather than send a blank.
func unoa(s string) string {
	s = translit.Latin(s)
	s = strings.Map(func(r rune) rune {
		r = unicode.ToUpper(r)
		if r < 128 && strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/='+:?!\"%&*;<>", r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// clip cuts s to at most n characters, without a trailing space.
func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.TrimRight(s, " ")
}

func writePAXLST(w io.Writer, p *airbridge.Policy, v *airbridge.FlightView, now time.Time) error {
	f := v.Flight
	m := paxlst.Manifest{Sender: clip(unoa(f.Operator), 35), Recipient: clip(unoa(f.Destination), 35),
		Reference: now.Format("0601021504"), Prepared: now.Truncate(time.Minute), ReportingParty: clip(unoa(p.Name), 70),
		Flight: paxlst.Flight{Carrier: clip(unoa(f.Operator), 17), Number: clip(unoa(f.Callsign), 17), From: "KBL", To: clip(unoa(f.Destination), 35),
			Departure: f.Slot.Truncate(time.Minute), Arrival: f.Slot.Truncate(time.Minute)}}
	var undated, unwritten []string
	for _, person := range v.Manifest {
		birth, err := time.Parse(time.DateOnly, person.BirthDate)
		if err != nil {
			undated = append(undated, person.ID)
			continue
		}
		surname, given := clip(unoa(person.Surname), 70), clip(unoa(person.GivenNames), 70)
		if surname == "" {
			surname, given = given, ""
		}
		if surname == "" {
			unwritten = append(unwritten, person.ID)
			continue
		}
		pass := paxlst.Passenger{Surname: surname, GivenNames: given, Sex: cmp.Or(person.Sex, "U"), BirthDate: birth,
			Nationality: person.Nationality, Reference: clip(unoa(person.GroupID), 35)}
		if len(person.Documents) > 0 {
			d := person.Documents[0]
			pass.DocumentType = map[string]string{"passport": "P", "id_card": "I", "visa": "V"}[d.Type]
			if pass.DocumentType == "" {
				pass.DocumentType = "F"
			}
			pass.DocumentNumber, pass.IssuingState = d.Number, d.IssuingState
			pass.DocumentExpiry, _ = time.Parse(time.DateOnly, d.Expiry)
		}
		m.Passengers = append(m.Passengers, pass)
	}
	switch {
	case len(undated) > 0:
		return fmt.Errorf("PAXLST needs every passenger's birth date; %d have none: %s", len(undated), strings.Join(undated, ", "))
	case len(unwritten) > 0:
		return fmt.Errorf("PAXLST writes names in Latin letters; the names of %d passengers have none (record a Latin spelling): %s", len(unwritten), strings.Join(unwritten, ", "))
	}
	b, err := paxlst.Encode(m, paxlst.Options{LineBreaks: true})
	if err != nil {
		return fmt.Errorf("PAXLST of flight %s: %w", f.ID, err)
	}
	_, err = w.Write(b)
	return err
}

func writeManifestPDF(w io.Writer, p *airbridge.Policy, v *airbridge.FlightView, now time.Time) error {
	f := v.Flight
	m := printout.Manifest{Operation: p.Name, FlightID: f.ID, Callsign: f.Callsign, Operator: f.Operator, Aircraft: string(f.Aircraft),
		Destination: f.Destination, Slot: f.Slot, Seats: f.Seats, Printed: now}
	for _, person := range v.Manifest {
		doc := ""
		if len(person.Documents) > 0 {
			doc = person.Documents[0].Number
		}
		m.Passengers = append(m.Passengers, printout.Passenger{Seat: person.Seat, Surname: person.Surname, GivenNames: person.GivenNames,
			Group: person.GroupID, Category: person.Category, Nationality: person.Nationality, Document: doc, Stage: string(person.Stage)})
	}
	b, err := printout.ManifestPDF(m)
	if err != nil {
		return fmt.Errorf("PDF manifest of flight %s: %w", f.ID, err)
	}
	_, err = w.Write(b)
	return err
}

// passText is the person's boarding pass as an IATA BCBP (Resolution 792)
// string: the name as SURNAME/GIVEN in capitals without diacritics, the
// group as the booking reference, from Kabul to the first three letters of
// the destination, the operator as carrier, the callsign's digits as the
// flight number, the slot's day of the year, the seat ("L" and three digits
// for a litter position), the seat's place on the manifest as the check-in
// sequence.
func PassText(p *airbridge.Person, v *airbridge.FlightView) (string, error) {
	f := v.Flight
	surname, given := unoa(p.Surname), unoa(p.GivenNames)
	if surname == "" && given == "" {
		return "", fmt.Errorf("person %s has no name in Latin letters, which a boarding pass is written in", p.ID)
	}
	name := clip(surname+"/"+given, 20)
	digits := strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, f.Callsign)
	if digits == "" {
		digits = "1"
	}
	if len(digits) > 4 {
		digits = digits[len(digits)-4:]
	}
	n, _ := strconv.Atoi(digits)
	seq := 0
	ordered := slices.Clone(v.Manifest)
	slices.SortFunc(ordered, func(a, b airbridge.Person) int { return cmp.Or(seatOrder(a.Seat, b.Seat), cmp.Compare(a.ID, b.ID)) })
	for i, m := range ordered {
		if m.ID == p.ID {
			seq = i + 1
		}
	}
	seat := p.Seat
	if s, litter := strings.CutPrefix(seat, "L"); litter {
		k, _ := strconv.Atoi(s)
		seat = fmt.Sprintf("L%03d", k)
	} else {
		k, _ := strconv.Atoi(seat)
		seat = fmt.Sprintf("%03d", k)
	}
	to := strings.ReplaceAll(unoa(f.Destination), " ", "")
	if len(to) > 3 {
		to = to[:3]
	}
	pnr := strings.ToUpper(strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return -1
	}, p.GroupID))
	if len(pnr) > 7 {
		pnr = pnr[len(pnr)-7:]
	}
	status := "1" // checked in
	if p.Stage == airbridge.Boarded {
		status = "5" // passed the gate: boarded
	}
	pass := bcbp.Pass{Name: name, Legs: []bcbp.Leg{{PNR: pnr, From: "KBL", To: to, Carrier: f.Operator, Flight: fmt.Sprintf("%04d", n),
		Date: fmt.Sprintf("%03d", f.Slot.YearDay()), Compartment: "Y", Seat: seat, CheckInSequence: fmt.Sprintf("%04d", seq), PassengerStatus: status}}}
	return bcbp.Encode(pass)
}

func PassPDF(policy *airbridge.Policy, p *airbridge.Person, v *airbridge.FlightView, text string) ([]byte, error) {
	f := v.Flight
	return printout.PassPDF(printout.Pass{Operation: policy.Name, Name: strings.TrimSpace(p.Surname + ", " + p.GivenNames),
		FlightID: f.ID, Callsign: f.Callsign, Destination: f.Destination, Seat: p.Seat, Group: p.GroupID, Slot: f.Slot, Barcode: text})
}
